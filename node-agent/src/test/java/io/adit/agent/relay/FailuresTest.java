package io.adit.agent.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.agent.tls.PeerCertificateException;
import io.adit.agent.tls.PeerCertificateException.Problem;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What engines and sockets throw, as the sentences the log and the status show. */
class FailuresTest {
  private static final Duration TEN_SECONDS = Duration.ofSeconds(10);
  private static final InetSocketAddress BACKEND = new InetSocketAddress("127.0.0.1", 7000);

  private static Failure handshake(Throwable t, long bytesSeen, String firstBytes) {
    return Failures.handshake(t, "client", true, bytesSeen,
        firstBytes == null ? null : firstBytes.getBytes(StandardCharsets.ISO_8859_1), TEN_SECONDS);
  }

  @Test
  void silentClientIsNamedAsSuch() {
    assertThat(handshake(new SslHandshakeTimeoutException("handshake timed out after 10000ms"), 0, null))
        .isEqualTo(new Failure(FailureKind.HANDSHAKE_TIMEOUT, "client sent nothing for 10 s (handshake timeout)"));
    assertThat(handshake(new SslHandshakeTimeoutException("handshake timed out after 10000ms"), 300, "\u0016\u0003\u0001"))
        .isEqualTo(new Failure(FailureKind.HANDSHAKE_TIMEOUT, "client did not finish the TLS handshake within 10 s"));
  }

  @Test
  void plaintextIsToldFromNoise() {
    assertThat(handshake(new NotSslRecordException("not an SSL/TLS record: 474554"), 30, "GET / HT").reason())
        .isEqualTo("client sent plaintext to a TLS port");
    assertThat(handshake(new NotSslRecordException("not an SSL/TLS record"), 30, "\u0099\u0001\u0002").kind())
        .isEqualTo(FailureKind.NOT_TLS);
  }

  @Test
  void refusedCertificateKeepsItsOwnWords() {
    PeerCertificateException refused = new PeerCertificateException(Problem.UNKNOWN_CA,
        "client certificate was issued by an unknown CA (CN=Other)", null);
    // BoringSSL reports "General OpenSslEngine problem" with the refusal as the cause.
    SSLHandshakeException wrapped = new SSLHandshakeException("General OpenSslEngine problem");
    wrapped.initCause(refused);

    assertThat(handshake(wrapped, 500, "\u0016")).isEqualTo(new Failure(FailureKind.UNKNOWN_CA, refused.getMessage()));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "error:10000410:SSL routines:OPENSSL_internal:PEER_DID_NOT_RETURN_A_CERTIFICATE | NO_CLIENT_CERTIFICATE",
      "Empty client certificate chain | NO_CLIENT_CERTIFICATE",
      "error:100000f0:SSL routines:OPENSSL_internal:UNSUPPORTED_PROTOCOL | PROTOCOL_MISMATCH",
      "error:100000b8:SSL routines:OPENSSL_internal:NO_SHARED_CIPHER | PROTOCOL_MISMATCH",
      "error:10000416:SSL routines:OPENSSL_internal:SSLV3_ALERT_CERTIFICATE_UNKNOWN | PEER_REFUSED_US",
      "Received fatal alert: bad_certificate | PEER_REFUSED_US",
      "error:10000438:SSL routines:OPENSSL_internal:TLSV1_ALERT_INTERNAL_ERROR | PEER_REFUSED_US",
      "something nobody expected | OTHER_TLS",
  })
  void engineMessagesOfBothProvidersAreClassified(String message, FailureKind kind) {
    assertThat(handshake(new SSLHandshakeException(message), 200, "\u0016").kind()).isEqualTo(kind);
  }

  @Test
  void clientLeavingBeforeSayingAnythingIsNotAFailureOfTheService() {
    assertThat(handshake(new java.nio.channels.ClosedChannelException(), 0, null).kind())
        .isEqualTo(FailureKind.CLOSED_WITHOUT_DATA);
    assertThat(FailureKind.CLOSED_WITHOUT_DATA.isHandshake()).isTrue();
    assertThat(FailureKind.BACKEND_REFUSED.isHandshake()).isFalse();
  }

  @Test
  void backendFailuresNameTheBackend() {
    assertThat(Failures.connect(new ConnectException("Connection refused"), "backend", BACKEND, TEN_SECONDS))
        .isEqualTo(new Failure(FailureKind.BACKEND_REFUSED, "backend 127.0.0.1:7000 refused the connection"));
    assertThat(Failures.connect(new ConnectTimeoutException("connection timed out after 10000 ms: /127.0.0.1:7000"),
        "backend", BACKEND, TEN_SECONDS))
        .isEqualTo(new Failure(FailureKind.BACKEND_TIMEOUT, "backend 127.0.0.1:7000 did not answer within 10 s"));
    assertThat(Failures.connect(new ConnectException("No route to host"), "server", BACKEND, TEN_SECONDS).reason())
        .isEqualTo("server 127.0.0.1:7000 is unreachable (no route to host)");
  }

  @ParameterizedTest
  @CsvSource({"PT0.3S, 300 ms", "PT10S, 10 s", "PT1.5S, 1.5 s", "PT5M, 5 min", "PT90S, 90 s"})
  void durationsReadNaturally(Duration d, String text) {
    assertThat(Plain.duration(d)).isEqualTo(text);
  }

  @Test
  void addressesPrintWithoutJavasSlash() {
    assertThat(Plain.address(BACKEND)).isEqualTo("127.0.0.1:7000");
    assertThat(Plain.address(InetSocketAddress.createUnresolved("backend.internal", 7000))).isEqualTo("backend.internal:7000");
    assertThat(Plain.address(new InetSocketAddress("::1", 7000))).isEqualTo("[0:0:0:0:0:0:0:1]:7000");
  }

  @Test
  void errorsOnAnEstablishedConnectionAreSaidInPlainWords() {
    assertThat(Failures.io("client", new java.io.IOException("recvAddress(..) failed with error(-104): Connection reset by peer")))
        .isEqualTo("client reset the connection");
    assertThat(Failures.io("backend", new java.io.IOException("writevAddresses(..) failed with error(-32): Broken pipe")))
        .isEqualTo("backend went away while data was being sent to it (broken pipe)");
    assertThat(Failures.io("server", new java.io.IOException("Connection timed out")))
        .isEqualTo("server stopped answering (TCP timeout)");
    assertThat(Failures.io("client", new java.io.IOException("something else\nwith detail")))
        .isEqualTo("client connection failed: something else");
  }
}
