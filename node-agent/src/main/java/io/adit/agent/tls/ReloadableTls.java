package io.adit.agent.tls;

import io.netty.handler.ssl.SslContext;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * TLS material that can be swapped while relays run, for certificate renewal: each new
 * connection takes the context current when it is accepted (or dialed, in client mode); live
 * connections keep the one they started with, so renewal never drops a connection.
 */
public final class ReloadableTls implements TlsMaterial {
  private final AtomicReference<SslContext> current;
  private final RevocationCheck revocations;

  public ReloadableTls(SslContext initial) {
    this(initial, RevocationCheck.NONE);
  }

  /** With the revocations the relay checks live connections against (the contexts' own). */
  public ReloadableTls(SslContext initial, RevocationCheck revocations) {
    current = new AtomicReference<>(Objects.requireNonNull(initial, "initial SslContext"));
    this.revocations = Objects.requireNonNull(revocations, "revocations");
  }

  @Override
  public SslContext current() {
    return current.get();
  }

  @Override
  public RevocationCheck revocations() {
    return revocations;
  }

  /**
   * Makes {@code next} the context of every connection from now on.
   *
   * @throws IllegalArgumentException if {@code next} is a client context replacing a server one
   *     (or the reverse): a relay's mode never changes
   */
  public void update(SslContext next) {
    Objects.requireNonNull(next, "next SslContext");
    SslContext previous = current.get();
    if (previous.isServer() != next.isServer()) {
      throw new IllegalArgumentException("cannot replace a " + side(previous) + " TLS context with a " + side(next) + " one");
    }
    current.set(next);
  }

  private static String side(SslContext context) {
    return context.isServer() ? "server" : "client";
  }
}
