package io.adit.agent.relay;

import io.adit.agent.tls.PeerCertificateException;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Locale;

/**
 * Turns what TLS engines and sockets throw into reasons an operator understands. OpenSSL says
 * "wrong version number" and Netty "General OpenSslEngine problem"; the log should say "client
 * sent plaintext to a TLS port". Messages are matched for both BoringSSL's and the JDK's wording.
 */
final class Failures {
  private Failures() {}

  /**
   * A failed TLS handshake.
   *
   * @param peer who was at the other end: "client", or "server 10.0.0.1:443" in client mode
   * @param clientSide whether the peer is our client (server mode) rather than our server
   * @param bytesSeen bytes received from the peer before the failure
   * @param firstBytes the first bytes received (up to 8), for telling plaintext from noise
   */
  static Failure handshake(Throwable cause, String peer, boolean clientSide, long bytesSeen, byte[] firstBytes,
      Duration timeout) {
    if (find(cause, SslHandshakeTimeoutException.class) != null) {
      return bytesSeen == 0
          ? new Failure(FailureKind.HANDSHAKE_TIMEOUT, peer + " sent nothing for " + Plain.duration(timeout) + " (handshake timeout)")
          : new Failure(FailureKind.HANDSHAKE_TIMEOUT, peer + " did not finish the TLS handshake within " + Plain.duration(timeout));
    }
    if (find(cause, NotSslRecordException.class) != null) {
      if (looksLikeText(firstBytes)) {
        return new Failure(FailureKind.PLAINTEXT, clientSide
            ? "client sent plaintext to a TLS port"
            : peer + " answered in plaintext, not TLS");
      }
      return new Failure(FailureKind.NOT_TLS, peer + " sent data that is not TLS");
    }
    PeerCertificateException refused = find(cause, PeerCertificateException.class);
    if (refused != null) {
      return new Failure(switch (refused.problem()) {
        case EXPIRED -> FailureKind.CERTIFICATE_EXPIRED;
        case NOT_YET_VALID -> FailureKind.CERTIFICATE_NOT_YET_VALID;
        case UNKNOWN_CA -> FailureKind.UNKNOWN_CA;
        case NAME_MISMATCH -> FailureKind.SERVER_NAME_MISMATCH;
        case REVOKED -> FailureKind.CERTIFICATE_REVOKED;
        case OTHER -> FailureKind.OTHER_TLS;
      }, refused.getMessage());
    }
    String text = messages(cause);
    if (clientSide && contains(text, "peer_did_not_return_a_certificate", "empty client certificate chain",
        "certificate_required", "certificate required")) {
      return new Failure(FailureKind.NO_CLIENT_CERTIFICATE, "client presented no certificate");
    }
    if (!clientSide && contains(text, "certificate_required", "certificate required")) {
      return new Failure(FailureKind.PEER_REFUSED_US, peer + " requires a client certificate this service does not have");
    }
    if (contains(text, "unsupported_protocol", "protocol_version", "no appropriate protocol", "version_too_low",
        "protocol version", "unsupported protocol")) {
      return new Failure(FailureKind.PROTOCOL_MISMATCH, peer + " offers no TLS version "
          + (clientSide ? "this service accepts" : "this client accepts"));
    }
    if (contains(text, "no_shared_cipher", "no cipher suites in common", "no_ciphers_available", "handshake_failure")) {
      return new Failure(FailureKind.PROTOCOL_MISMATCH, peer
          + " offers no cipher suite or key-exchange group in common (accepted: the service's ciphers, ciphersuites"
          + " and curves; by default ECDHE with AES-GCM or ChaCha20-Poly1305, or TLS 1.3)");
    }
    if (contains(text, "alert_bad_certificate", "alert_unknown_ca", "alert_certificate_unknown", "alert_certificate_expired",
        "alert_certificate_revoked", "alert_access_denied", "alert_decrypt_error", "bad_certificate", "unknown_ca",
        "certificate_unknown", "received fatal alert")) {
      return new Failure(FailureKind.PEER_REFUSED_US, peer + " refused "
          + (clientSide ? "the server certificate" : "the connection") + " (TLS alert: " + alert(text) + ")");
    }
    if (contains(text, "alert_internal_error", "internal_error")) {
      // What Netty's BoringSSL sends when its certificate check throws: typically the peer did
      // not trust our certificate.
      return new Failure(FailureKind.PEER_REFUSED_US, peer + " aborted the TLS handshake (TLS alert: internal error; "
          + (clientSide ? "a client that does not trust the server certificate sends this)" : "does it trust our certificate?)"));
    }
    if (cause instanceof ClosedChannelException || contains(text, "connection reset", "broken pipe", "closed",
        "end of stream", "eof")) {
      return bytesSeen == 0
          ? new Failure(FailureKind.CLOSED_WITHOUT_DATA, peer + " closed the connection before sending anything")
          : new Failure(FailureKind.HANDSHAKE_ABORTED, peer + " closed the connection during the TLS handshake");
    }
    return new Failure(FailureKind.OTHER_TLS, "TLS handshake with " + peer + " failed: " + firstLine(cause));
  }

  /** A failed dial of a backend (server mode) or remote server (client mode). */
  /**
   * Why an established connection ended with an I/O error, in plain words: "client reset the
   * connection" rather than epoll's "recvAddress(..) failed with error(-104): Connection reset by peer".
   */
  static String io(String who, Throwable cause) {
    String text = messages(cause);
    if (contains(text, "connection reset", "error(-104)")) {
      return who + " reset the connection";
    }
    if (contains(text, "broken pipe", "error(-32)")) {
      return who + " went away while data was being sent to it (broken pipe)";
    }
    if (contains(text, "connection timed out", "error(-110)")) {
      return who + " stopped answering (TCP timeout)";
    }
    if (contains(text, "no route to host", "network is unreachable")) {
      return who + " became unreachable (no route to host)";
    }
    return who + " connection failed: " + firstLine(cause);
  }

  static Failure connect(Throwable cause, String what, InetSocketAddress address, Duration timeout) {
    String target = what + " " + Plain.address(address);
    if (cause instanceof ConnectTimeoutException || find(cause, ConnectTimeoutException.class) != null) {
      return new Failure(FailureKind.BACKEND_TIMEOUT, target + " did not answer within " + Plain.duration(timeout));
    }
    if (find(cause, UnknownHostException.class) != null) {
      return new Failure(FailureKind.BACKEND_UNREACHABLE, target + " cannot be resolved (unknown host name)");
    }
    String text = messages(cause);
    if (find(cause, NoRouteToHostException.class) != null || contains(text, "no route to host", "network is unreachable")) {
      return new Failure(FailureKind.BACKEND_UNREACHABLE, target + " is unreachable (no route to host)");
    }
    if (find(cause, ConnectException.class) != null && contains(text, "refused")
        || contains(text, "connection refused")) {
      return new Failure(FailureKind.BACKEND_REFUSED, target + " refused the connection");
    }
    return new Failure(FailureKind.BACKEND_UNREACHABLE, "cannot connect to " + target + ": " + firstLine(cause));
  }

  private static String alert(String text) {
    for (String name : new String[] {"unknown_ca", "bad_certificate", "certificate_unknown", "certificate_expired",
        "certificate_revoked", "access_denied", "decrypt_error"}) {
      if (text.contains(name)) {
        return name.replace('_', ' ');
      }
    }
    int at = text.indexOf("received fatal alert: ");
    return at >= 0 ? text.substring(at + "received fatal alert: ".length()).split("[\\s;]")[0].replace('_', ' ') : "refused";
  }

  static boolean looksLikeText(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      return false;
    }
    for (byte b : bytes) {
      if (!(b >= 0x20 && b < 0x7f || b == '\r' || b == '\n' || b == '\t')) {
        return false;
      }
    }
    return true;
  }

  /** Every message of the cause chain, lower case, with '_' and ' ' kept as they are. */
  private static String messages(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (int depth = 0; t != null && depth < 10; depth++, t = t.getCause()) {
      b.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append(" | ");
    }
    return b.toString().toLowerCase(Locale.ROOT);
  }

  private static boolean contains(String text, String... needles) {
    for (String n : needles) {
      if (text.contains(n)) {
        return true;
      }
    }
    return false;
  }

  private static String firstLine(Throwable t) {
    Throwable root = t;
    for (int depth = 0; root.getCause() != null && depth < 10; depth++) {
      root = root.getCause();
    }
    String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  static <T extends Throwable> T find(Throwable t, Class<T> type) {
    for (int depth = 0; t != null && depth < 10; depth++, t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }
}
