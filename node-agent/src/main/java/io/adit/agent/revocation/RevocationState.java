package io.adit.agent.revocation;

import io.adit.agent.tls.RevocationCheck;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * The revocations every relay of this agent checks, in handshakes and for live connections.
 * Reads are a volatile load: cheap enough for every handshake.
 */
public final class RevocationState implements RevocationCheck {
  private volatile Revocations current = Revocations.NONE;

  public Revocations current() {
    return current;
  }

  void set(Revocations next) {
    current = next;
  }

  @Override
  public Optional<String> refusal(X509Certificate leaf) {
    return current.refusal(leaf);
  }
}
