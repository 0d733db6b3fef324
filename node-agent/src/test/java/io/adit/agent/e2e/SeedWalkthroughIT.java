package io.adit.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.api.v1.ListNodesRequest;
import io.adit.api.v1.NodeServiceGrpc;
import io.adit.api.v1.NodeServiceStatus;
import io.adit.api.v1.ServiceSpec;
import io.adit.api.v1.Verify;
import io.adit.testing.EtcdExtension;
import io.adit.testing.OpenSsl;
import io.adit.testing.Tools;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stunnel walkthrough this project started from, declared with the API and served by a real
 * agent: an echo backend (socat), a TLS tunnel without client certificates (service1), one that
 * requires a client certificate (service2), checked with the real ncat and openssl s_client.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SeedWalkthroughIT {
  @RegisterExtension
  static final EtcdExtension etcd = new EtcdExtension();

  @TempDir
  static Path dir;

  static Cluster cluster;
  static Tools.Background backend;
  static int backendPort;
  static int port1;
  static int port2;

  @BeforeAll
  static void start() throws Exception {
    backendPort = Tools.freePort();
    backend = Cluster.socatEcho(backendPort);
    cluster = new Cluster(etcd.endpoints(), dir, null);
    cluster.agent("node1");
    port1 = Tools.freePort();
    port2 = Tools.freePort();
    cluster.create(ServiceSpec.newBuilder().setName("service1").setAccept("127.0.0.1:" + port1)
        .addConnect("127.0.0.1:" + backendPort).addNodes("node1").setVerify(Verify.VERIFY_NONE));
    cluster.create(ServiceSpec.newBuilder().setName("service2").setAccept("127.0.0.1:" + port2)
        .addConnect("127.0.0.1:" + backendPort).addNodes("node1").addAllow("client1"));
    cluster.client("client1");
    cluster.client("client2");
    cluster.await("service1", "node1", "Listening");
    cluster.await("service2", "node1", "Listening");
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  static Optional<NodeServiceStatus> state(String service) {
    return cluster.status(service, "node1");
  }

  static Tools.Result ncat(String input, String... args) {
    List<String> cmd = new java.util.ArrayList<>(List.of("ncat", "-w", "5", "-i", "3"));
    cmd.addAll(List.of(args));
    return Tools.run(cmd, input, Duration.ofSeconds(15));
  }

  @Test
  void service1EchoesOverVerifiedTls() {
    Tools.Result r = ncat("hello\n", "--ssl", "--ssl-verify", "--ssl-servername", "service1", "--ssl-trustfile",
        dir.resolve("ca.crt").toString(), "127.0.0.1", String.valueOf(port1));
    assertThat(r.out()).as(r.err()).isEqualTo("hello\n");
  }

  @Test
  void theWrongServerNameFailsVerification() {
    Tools.Result r = ncat("hello\n", "--ssl", "--ssl-verify", "--ssl-servername", "service2", "--ssl-trustfile",
        dir.resolve("ca.crt").toString(), "127.0.0.1", String.valueOf(port1));
    assertThat(r.out()).isEmpty();
    assertThat(r.exitCode()).isNotZero();
  }

  @Test
  void plaintextGetsNothingAndTheReasonIsReported() {
    Tools.Result r = ncat("hello\n", "127.0.0.1", String.valueOf(port1));
    assertThat(r.out()).doesNotContain("hello");
    Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
        .until(() -> state("service1").map(NodeServiceStatus::getLastFailure).orElse(""), f -> f.contains("plaintext"));
  }

  @Test
  void service2EchoesOnlyForAnAllowedClientCertificate() {
    String ca = dir.resolve("ca.crt").toString();
    Tools.Result withCert = ncat("hello\n", "--ssl", "--ssl-verify", "--ssl-servername", "service2", "--ssl-trustfile", ca,
        "--ssl-cert", dir.resolve("client1.crt").toString(), "--ssl-key", dir.resolve("client1.key").toString(),
        "127.0.0.1", String.valueOf(port2));
    assertThat(withCert.out()).as(withCert.err()).isEqualTo("hello\n");

    Tools.Result without = ncat("hello\n", "--ssl", "--ssl-verify", "--ssl-servername", "service2", "--ssl-trustfile", ca,
        "127.0.0.1", String.valueOf(port2));
    assertThat(without.out()).isEmpty();

    Tools.Result notAllowed = ncat("hello\n", "--ssl", "--ssl-verify", "--ssl-servername", "service2", "--ssl-trustfile", ca,
        "--ssl-cert", dir.resolve("client2.crt").toString(), "--ssl-key", dir.resolve("client2.key").toString(),
        "127.0.0.1", String.valueOf(port2));
    assertThat(notAllowed.out()).isEmpty();
    Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
        .until(() -> state("service2").map(NodeServiceStatus::getLastFailure).orElse(""), f -> f.contains("client2"));
  }

  @Test
  void opensslShowsAVerifiedChain() {
    OpenSsl.Result r = OpenSsl.run(dir, "s_client", "-servername", "service1", "-connect", "127.0.0.1:" + port1,
        "-CAfile", "ca.crt", "-verify_return_error", "-brief");
    assertThat(r.output()).contains("Verification: OK");
  }

  @Test
  void statusShowsTheCertificateAndTheNodeIsReady() {
    NodeServiceStatus s = state("service1").orElseThrow();
    assertThat(s.getCertSerial()).isNotEmpty();
    assertThat(s.getCertNotAfter().getSeconds()).isGreaterThan(System.currentTimeMillis() / 1000);
    Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() ->
        NodeServiceGrpc.newBlockingStub(cluster.admin).withDeadlineAfter(10, TimeUnit.SECONDS).listNodes(ListNodesRequest.getDefaultInstance())
            .getNodesList().stream().anyMatch(n -> n.getName().equals("node1") && n.getReady()));
  }
}
