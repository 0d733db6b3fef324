package io.adit.agent.tls;

/**
 * Whether a server-mode relay asks its clients for a certificate, as stunnel's {@code verify}.
 * A certificate that is presented is always checked against the trusted CA.
 */
public enum Verify {
  /** Ask for no certificate: any TLS client may connect (stunnel: no {@code verify}). */
  NONE,
  /** Ask for one; a client without one is let in, one with a bad certificate is not. */
  OPTIONAL,
  /** A certificate from the trusted CA is required (the default). */
  REQUIRE
}
