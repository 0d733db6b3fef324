package io.adit.agent.tls;

import io.netty.handler.ssl.SslContext;

/**
 * Where a relay gets its TLS configuration: a server context for server mode, a client context
 * for client mode. A relay calls {@link #current()} once per new connection, on an event-loop
 * thread, so an implementation must be cheap and thread-safe; a connection keeps the context it
 * took for its whole life.
 */
@FunctionalInterface
public interface TlsMaterial {
  SslContext current();

  /**
   * What the relay asks again, once a connection is set up and whenever revocations change,
   * about the certificate the peer presented (the contexts ask it during the handshake).
   */
  default RevocationCheck revocations() {
    return RevocationCheck.NONE;
  }
}
