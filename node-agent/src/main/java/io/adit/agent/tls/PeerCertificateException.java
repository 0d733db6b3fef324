package io.adit.agent.tls;

import java.security.cert.CertificateException;

/**
 * A peer's certificate was refused during the handshake; the message says why in plain words
 * ("client certificate expired at 2026-01-02T03:04:05Z"). It travels as the cause of the
 * handshake failure, where the relay finds it.
 */
public final class PeerCertificateException extends CertificateException {
  private static final long serialVersionUID = 1L;

  /** Why a certificate was refused. */
  public enum Problem {
    EXPIRED, NOT_YET_VALID, UNKNOWN_CA, NAME_MISMATCH, REVOKED, OTHER
  }

  private final Problem problem;

  public PeerCertificateException(Problem problem, String message, Throwable cause) {
    super(message, cause);
    this.problem = problem;
  }

  public Problem problem() {
    return problem;
  }
}
