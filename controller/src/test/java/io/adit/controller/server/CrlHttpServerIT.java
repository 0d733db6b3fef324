package io.adit.controller.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.common.validation.HostPort;
import io.adit.controller.crl.SignedCrl;
import io.adit.controller.errors.FailedPreconditionException;
import io.adit.controller.errors.UnavailableException;
import io.adit.testing.Tools;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The CRL's HTTP endpoint on a real loopback socket, with the CRL given by the test. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CrlHttpServerIT {
  static final SignedCrl CRL = new SignedCrl(new byte[] {0x30, (byte) 0x82, (byte) 0xff, 0x00, 0x7f},
      "-----BEGIN X509 CRL-----\nMIL/AH8=\n-----END X509 CRL-----\n", Instant.EPOCH, Instant.EPOCH.plusSeconds(3600), 9, 1);

  final AtomicReference<Supplier<SignedCrl>> source = new AtomicReference<>(() -> CRL);
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  CrlHttpServer server;

  @BeforeEach
  void start() throws Exception {
    server = CrlHttpServer.start(new HostPort("127.0.0.1", 0), () -> source.get().get());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  HttpResponse<byte[]> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void servesTheDerAndThePemAsTheyAreWithTheirTypesAndNoCaching() throws Exception {
    HttpResponse<byte[]> der = get("/crl");
    assertThat(der.statusCode()).isEqualTo(200);
    assertThat(der.body()).isEqualTo(CRL.der());
    assertThat(der.headers().firstValue("Content-Type")).contains("application/pkix-crl");
    assertThat(der.headers().firstValue("Cache-Control")).contains("no-cache");

    HttpResponse<byte[]> pem = get("/crl.pem");
    assertThat(new String(pem.body(), StandardCharsets.US_ASCII)).isEqualTo(CRL.pem());
    assertThat(pem.headers().firstValue("Content-Type")).contains("application/x-pem-file");
  }

  @Test
  void aQueryStringDoesNotChangeThePath() throws Exception {
    assertThat(get("/crl?x=1").body()).isEqualTo(CRL.der());
    assertThat(get("/crl/").statusCode()).isEqualTo(404);
  }

  @Test
  void etcdDownIs503InPlainWords() throws Exception {
    source.set(() -> {
      throw new UnavailableException("etcd at http://127.0.0.1:1 did not answer within 5s");
    });
    HttpResponse<byte[]> r = get("/crl.pem");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("the CRL cannot be made now: etcd is unavailable\n");
  }

  @Test
  void aBrokenRecordIs503WithoutNamingEtcdKeysToAnonymousCallers() throws Exception {
    source.set(() -> {
      throw new FailedPreconditionException("the revocation at /adit/v1/revoked/zz in etcd has serial 'zz'");
    });
    HttpResponse<byte[]> r = get("/crl");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).doesNotContain("/adit/").contains("the controller's log says why");
  }

  @Test
  void aBugIs500WithAGenericMessage() throws Exception {
    source.set(() -> {
      throw new IllegalStateException("secret detail");
    });
    HttpResponse<byte[]> r = get("/crl");
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).doesNotContain("secret");
  }

  @Test
  void closingReleasesThePort() throws Exception {
    int port = server.port();
    assertThat(Tools.listening(port)).isTrue();
    server.close();
    assertThat(Tools.listening(port)).isFalse();
  }
}
