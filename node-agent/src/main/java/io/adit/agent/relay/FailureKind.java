package io.adit.agent.relay;

import java.util.Locale;

/** Why a connection was refused or failed, as counted in {@link RelayStats#failures()}. */
public enum FailureKind {
  /** A client sent HTTP or other plaintext to a TLS port. */
  PLAINTEXT,
  /** A client sent bytes that are neither TLS nor text. */
  NOT_TLS,
  NO_CLIENT_CERTIFICATE,
  CERTIFICATE_EXPIRED,
  CERTIFICATE_NOT_YET_VALID,
  /** The peer's certificate, or its identity, was revoked. */
  CERTIFICATE_REVOKED,
  UNKNOWN_CA,
  /** A valid client whose identity is not in the service's allow list. */
  IDENTITY_NOT_ALLOWED,
  /** The server's certificate (client mode) does not name the server name. */
  SERVER_NAME_MISMATCH,
  HANDSHAKE_TIMEOUT,
  /** No TLS version or cipher suite in common. */
  PROTOCOL_MISMATCH,
  /** The peer refused our certificate (it sent an alert). */
  PEER_REFUSED_US,
  /** The peer closed the connection during the handshake. */
  HANDSHAKE_ABORTED,
  /**
   * The client connected and closed without sending a byte: port scanners and TCP health
   * checks. Counted and logged at debug level, but not reported as the service's last failure.
   */
  CLOSED_WITHOUT_DATA,
  OTHER_TLS,
  BACKEND_REFUSED,
  BACKEND_TIMEOUT,
  BACKEND_UNREACHABLE,
  /** The service was at its connection limit. */
  OVER_CAPACITY;

  /** The lower-case key used in stats: {@code unknown_ca}. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether the failure happened in the TLS handshake (or the authorization right after it). */
  public boolean isHandshake() {
    return ordinal() <= OTHER_TLS.ordinal();
  }
}
