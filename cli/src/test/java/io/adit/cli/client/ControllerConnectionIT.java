package io.adit.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.cli.AditCtl;
import io.adit.cli.TestPki;
import io.adit.common.config.ClientConfig;
import io.adit.common.pki.Keys;
import io.adit.common.pki.Pem;
import io.grpc.Status;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code aditctl} against a real TLS server on loopback: failover and every TLS failure in plain words. */
@Timeout(60)
class ControllerConnectionIT {
  @TempDir
  Path dir;
  final TestPki pki = new TestPki("cluster-ca");
  final KeyPair adminKeys = Keys.generateP256();
  final KeyPair serverKeys = Keys.generateP256();
  TlsController controller;

  @AfterEach
  void stop() {
    if (controller != null) {
      controller.close();
    }
  }

  record Result(int exitCode, String out, String err) {}

  private Path config(String... controllers) throws Exception {
    Path file = dir.resolve("admin.conf");
    ClientConfig.of(List.of(controllers), "adit.local", "admin", Pem.encode(pki.ca), Pem.encode(pki.admin(adminKeys)),
        Pem.encode(adminKeys.getPrivate())).write(file);
    return file;
  }

  private Result run(String... args) {
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    int code = AditCtl.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), Map.of("HOME", dir.toString()));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void listsServicesOverMutualTls() throws Exception {
    controller = new TlsController(serverKeys.getPrivate(), pki.controller(serverKeys), pki.ca);
    Result r = run("service", "list", "--config", config("localhost:" + controller.port()).toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("NAME   MODE     ACCEPT   TARGET").contains("web    server   443");
  }

  @Test
  void failsOverToTheNextController() throws Exception {
    controller = new TlsController(serverKeys.getPrivate(), pki.controller(serverKeys), pki.ca);
    Result r = run("service", "list", "-o", "json",
        "--config", config("127.0.0.1:" + closedPort(), "127.0.0.1:" + controller.port()).toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("\"name\": \"web\"");
  }

  @Test
  void saysWhichControllerItCannotReach() throws Exception {
    int port = closedPort();
    Result r = run("service", "list", "--config", config("127.0.0.1:" + port).toString());
    assertThat(r.exitCode()).isEqualTo(6);
    assertThat(r.err()).startsWith("error: cannot reach the controller at 127.0.0.1:" + port + " (")
        .endsWith("): is adit-controller running?\n");
  }

  @Test
  void aControllerCertificateFromAnotherCaIsAConfigProblem() throws Exception {
    TestPki other = new TestPki("other-ca");
    controller = new TlsController(serverKeys.getPrivate(), other.controller(serverKeys), pki.ca);
    Path conf = config("localhost:" + controller.port());
    Result r = run("service", "list", "--config", conf.toString());
    assertThat(r.exitCode()).isEqualTo(7);
    assertThat(r.err()).startsWith("error: the controller's certificate is not signed by the CA in " + conf);
  }

  @Test
  void aControllerCertificateForAnotherNameIsAConfigProblem() throws Exception {
    var cert = pki.leaf(serverKeys.getPublic(), "controller", Instant.now().minusSeconds(60), Duration.ofHours(1),
        List.of(KeyPurposeId.id_kp_serverAuth), null, "elsewhere.example");
    controller = new TlsController(serverKeys.getPrivate(), cert, pki.ca);
    Result r = run("service", "list", "--config", config("localhost:" + controller.port()).toString());
    assertThat(r.exitCode()).isEqualTo(7);
    assertThat(r.err()).startsWith("error: the controller's certificate does not name the address localhost:"
        + controller.port());
  }

  @Test
  void aClientCertificateTheControllerDoesNotTrustIsDenied() throws Exception {
    controller = new TlsController(serverKeys.getPrivate(), pki.controller(serverKeys), new TestPki("other-ca").ca);
    Result r = run("service", "list", "--config", config("localhost:" + controller.port()).toString());
    assertThat(r.exitCode()).as(r.err()).isEqualTo(5);
    assertThat(r.err()).startsWith("error: the controller refused the certificate in ");
  }

  @Test
  void passesTheControllersOwnUnavailableMessageThrough() throws Exception {
    controller = new TlsController(serverKeys.getPrivate(), pki.controller(serverKeys), pki.ca);
    controller.failWith = Status.UNAVAILABLE.withDescription("etcd is unavailable (3 endpoints): retry when it is back");
    Result r = run("service", "list", "--config", config("localhost:" + controller.port()).toString());
    assertThat(r.exitCode()).isEqualTo(6);
    assertThat(r.err()).isEqualTo("error: etcd is unavailable (3 endpoints): retry when it is back\n");
  }

  @Test
  void aSilentServerHitsTheDeadline() throws Exception {
    try (ServerSocket silent = new ServerSocket(0)) {
      long start = System.nanoTime();
      Result r = run("service", "list", "--timeout", "1s", "--config", config("127.0.0.1:" + silent.getLocalPort()).toString());
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
      assertThat(r.exitCode()).isEqualTo(6);
      assertThat(r.err()).contains("did not answer in time");
    }
  }
}
