package io.adit.agent.tls;

import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * Whether a peer's certificate has been revoked, and if so why, in plain words ("certificate
 * 3f2a… of identity client1 was revoked at … by admin"). Asked during every handshake and for
 * every live connection when revocations change: it must be fast and thread-safe.
 */
@FunctionalInterface
public interface RevocationCheck {
  /** Nothing is revoked. */
  RevocationCheck NONE = leaf -> Optional.empty();

  /** Why {@code leaf} is refused, or empty if it is not revoked. */
  Optional<String> refusal(X509Certificate leaf);
}
