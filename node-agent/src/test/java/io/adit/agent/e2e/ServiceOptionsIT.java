package io.adit.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adit.agent.tls.Provider;
import io.adit.api.v1.GetServiceRequest;
import io.adit.api.v1.Mode;
import io.adit.api.v1.NodeServiceStatus;
import io.adit.api.v1.Service;
import io.adit.api.v1.ServiceSpec;
import io.adit.api.v1.UpdateServiceRequest;
import io.adit.api.v1.Verify;
import io.adit.testing.EtcdExtension;
import io.adit.testing.OpenSsl;
import io.adit.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-service options through a real agent, checked the way an operator would: extra
 * certificate names with openssl, TLS 1.3 only, the connection cap, the idle timeout, and the
 * stunnel interplay both ways — an Adit client-mode relay trusting a stunnel server's own CA
 * (--trust-ca), and stunnel's {@code client = yes} reaching an Adit service with a client
 * identity.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ServiceOptionsIT {
  @RegisterExtension
  static final EtcdExtension etcd = new EtcdExtension();

  @TempDir
  static Path dir;

  static Cluster cluster;
  static Tools.Background backend;
  static Tools.Background stunnel;
  static int backendPort;
  static int legacyPort;
  static int stunnelClientPort;
  static int securePort;
  static int secureJdkPort;
  static int stunnelJdkClientPort;

  @BeforeAll
  static void start() throws Exception {
    backendPort = Tools.freePort();
    backend = Cluster.socatEcho(backendPort);
    cluster = new Cluster(etcd.endpoints(), dir, null);
    cluster.agent("node1");
    cluster.agent("node2", Provider.JDK);
    cluster.client("client1");

    // Adit services that require client1, for stunnel's client = yes to reach: one on each
    // TLS engine (node1: the default, BoringSSL; node2: the JDK's).
    securePort = Tools.freePort();
    cluster.create(ServiceSpec.newBuilder().setName("secure").setAccept("127.0.0.1:" + securePort)
        .addConnect("127.0.0.1:" + backendPort).addNodes("node1").addAllow("client1"));
    secureJdkPort = Tools.freePort();
    cluster.create(ServiceSpec.newBuilder().setName("secure-jdk").setAccept("127.0.0.1:" + secureJdkPort)
        .addConnect("127.0.0.1:" + backendPort).addNodes("node2").addAllow("client1"));

    // A CA and a server certificate made by hand, as for any stunnel deployment.
    OpenSsl.ok(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", "legacy-ca.key", "-out", "legacy-ca.crt", "-days", "1", "-subj", "/CN=Legacy CA",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    OpenSsl.ok(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", "legacy.key", "-out", "legacy.crt", "-days", "1", "-subj", "/CN=legacy.example",
        "-CA", "legacy-ca.crt", "-CAkey", "legacy-ca.key",
        "-addext", "subjectAltName=DNS:legacy.example", "-addext", "basicConstraints=CA:FALSE");

    legacyPort = Tools.freePort();
    stunnelClientPort = Tools.freePort();
    stunnelJdkClientPort = Tools.freePort();
    Path conf = dir.resolve("stunnel.conf");
    Files.writeString(conf, String.join("\n",
        "foreground = yes",
        "pid =",
        "debug = notice",
        "[legacy]",
        "accept = 127.0.0.1:" + legacyPort,
        "connect = 127.0.0.1:" + backendPort,
        "cert = " + dir.resolve("legacy.crt"),
        "key = " + dir.resolve("legacy.key"),
        "[to-adit]",
        "client = yes",
        "accept = 127.0.0.1:" + stunnelClientPort,
        "connect = 127.0.0.1:" + securePort,
        "sni = secure",
        "checkHost = secure",
        "verifyChain = yes",
        "CAfile = " + dir.resolve("ca.crt"),
        "cert = " + dir.resolve("client1.crt"),
        "key = " + dir.resolve("client1.key"),
        "[to-adit-jdk]",
        "client = yes",
        "accept = 127.0.0.1:" + stunnelJdkClientPort,
        "connect = 127.0.0.1:" + secureJdkPort,
        "sni = secure-jdk",
        "checkHost = secure-jdk",
        "verifyChain = yes",
        "CAfile = " + dir.resolve("ca.crt"),
        "cert = " + dir.resolve("client1.crt"),
        "key = " + dir.resolve("client1.key"),
        ""));
    stunnel = Tools.start(List.of("stunnel", conf.toString()));
    Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> Tools.listening(legacyPort) && Tools.listening(stunnelClientPort)
            && Tools.listening(stunnelJdkClientPort));
    cluster.await("secure", "node1", "Listening");
    cluster.await("secure-jdk", "node2", "Listening");
  }

  @AfterAll
  static void stop() {
    if (stunnel != null) {
      stunnel.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  /** Plain ncat: after the input it shuts down its sending side (a TCP half-close). */
  static Tools.Result ncat(String input, int port) {
    return Tools.run(List.of("ncat", "-w", "5", "-i", "3", "127.0.0.1", String.valueOf(port)), input, Duration.ofSeconds(15));
  }

  /** ncat that keeps its sending side open after the input, as most request/response clients do. */
  static Tools.Result ncatNoShutdown(String input, int port) {
    return Tools.run(List.of("ncat", "--no-shutdown", "-w", "5", "-i", "2", "127.0.0.1", String.valueOf(port)), input,
        Duration.ofSeconds(15));
  }

  static ServiceSpec.Builder server(String name, int port) {
    return ServiceSpec.newBuilder().setName(name).setAccept("127.0.0.1:" + port).addConnect("127.0.0.1:" + backendPort)
        .addNodes("node1").setVerify(Verify.VERIFY_NONE);
  }

  static OpenSsl.Result sClient(int port, String... extra) {
    List<String> args = new java.util.ArrayList<>(List.of("s_client", "-connect", "127.0.0.1:" + port, "-CAfile", "ca.crt",
        "-verify_return_error", "-brief"));
    args.addAll(List.of(extra));
    return OpenSsl.run(dir, args.toArray(String[]::new));
  }

  @Test
  void extraNamesAndAddressesAreInTheCertificateAndAnUpdateAddsThemWithoutRestartingTheAgent() {
    int port = Tools.freePort();
    cluster.create(server("named", port).addDnsNames("alt.example").addIpAddresses("127.0.0.1"));
    NodeServiceStatus first = cluster.await("named", "node1", "Listening");

    assertThat(sClient(port, "-servername", "alt.example", "-verify_hostname", "alt.example").output())
        .contains("Verification: OK");
    assertThat(sClient(port, "-verify_ip", "127.0.0.1").output()).contains("Verification: OK");
    assertThat(sClient(port, "-servername", "other.example", "-verify_hostname", "other.example").output())
        .doesNotContain("Verification: OK");

    Service current = cluster.tunnels().getService(GetServiceRequest.newBuilder().setName("named").build());
    cluster.tunnels().updateService(UpdateServiceRequest.newBuilder()
        .setSpec(current.getSpec().toBuilder().addDnsNames("other.example")).setExpectedVersion(current.getVersion()).build());
    Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
        .until(() -> cluster.status("named", "node1").map(NodeServiceStatus::getCertSerial).orElse(""),
            serial -> !serial.isEmpty() && !serial.equals(first.getCertSerial()));
    assertThat(sClient(port, "-servername", "other.example", "-verify_hostname", "other.example").output())
        .contains("Verification: OK");
  }

  @Test
  void tls13OnlyRefusesATls12Client() {
    int port = Tools.freePort();
    cluster.create(server("modern", port).setTlsMinVersion("1.3"));
    cluster.await("modern", "node1", "Listening");

    assertThat(sClient(port, "-servername", "modern", "-tls1_3").output()).contains("Protocol version: TLSv1.3");
    assertThat(sClient(port, "-servername", "modern", "-tls1_2").output()).doesNotContain("Verification: OK");
    Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
        .until(() -> cluster.status("modern", "node1").map(NodeServiceStatus::getLastFailure).orElse(""),
            f -> f.contains("TLS version"));
  }

  /** curves: BoringSSL (node1) applies them; the JDK's engine (node2) cannot, and the service says so there. */
  @Test
  void curvesApplyOnBoringSslAndTheJdkNodeReportsWhyItCannot() {
    int port = Tools.freePort();
    cluster.create(server("x25519-only", port).addNodes("node2").addTlsCurves("x25519"));
    cluster.await("x25519-only", "node1", "Listening");
    NodeServiceStatus jdk = cluster.await("x25519-only", "node2", "Failed");
    assertThat(jdk.getError()).isEqualTo("curves X25519 cannot be applied: the JDK's TLS engine cannot set key-exchange"
        + " groups per service; remove curves from the service, or run the agent with BoringSSL"
        + " (--tls-provider openssl, the default)");

    assertThat(sClient(port, "-servername", "x25519-only", "-groups", "X25519").output()).contains("Verification: OK");
    OpenSsl.Result p384 = sClient(port, "-servername", "x25519-only", "-groups", "P-384");
    assertThat(p384.exitCode()).isNotZero();
    assertThat(p384.output()).doesNotContain("Verification: OK");
  }

  @Test
  void theConnectionCapRefusesTheOneTooMany() throws Exception {
    int port = Tools.freePort();
    cluster.create(server("capped", port).setMaxConnections(1));
    cluster.await("capped", "node1", "Listening");

    try (TlsEcho first = TlsEcho.tls(port, "capped", cluster.trust, null, null)) {
      assertThat(first.echo("one")).isEqualTo("one");
      assertThatThrownBy(() -> {
        try (TlsEcho second = TlsEcho.tls(port, "capped", cluster.trust, null, null)) {
          second.echo("two");
        }
      }).isInstanceOf(java.io.IOException.class);
      assertThat(first.echo("still")).isEqualTo("still");
    }
    Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
        .until(() -> cluster.status("capped", "node1").map(NodeServiceStatus::getLastFailure).orElse(""),
            f -> f.contains("limit of 1 connections"));
  }

  @Test
  void aQuietConnectionIsClosedAfterTheIdleTimeout() throws Exception {
    int port = Tools.freePort();
    cluster.create(server("idle", port).setIdleTimeoutSeconds(1));
    cluster.await("idle", "node1", "Listening");

    try (TlsEcho c = TlsEcho.tls(port, "idle", cluster.trust, null, null)) {
      assertThat(c.echo("hello")).isEqualTo("hello");
      assertThat(c.closedWithin(Duration.ofSeconds(10))).as("closed after 1 s of silence").isTrue();
    }
  }

  @Test
  void aClientModeRelayReachesAStunnelServerThroughItsOwnCa() throws Exception {
    int port = Tools.freePort();
    cluster.create(ServiceSpec.newBuilder().setName("to-legacy").setMode(Mode.MODE_CLIENT)
        .setAccept("127.0.0.1:" + port).addConnect("127.0.0.1:" + legacyPort).setServerName("legacy.example")
        .setTrustCaPem(Files.readString(dir.resolve("legacy-ca.crt"))).addNodes("node1"));
    cluster.await("to-legacy", "node1", "Listening");

    // stunnel, as a server, ends the whole connection when its client's side ends (it has no
    // TLS half-close), so this client keeps its side open until the reply is read.
    Tools.Result r = ncatNoShutdown("hello\n", port);
    assertThat(r.out()).as(r.err()).isEqualTo("hello\n");
  }

  @Test
  void withoutTrustCaTheStunnelServerIsRefusedAndTheReasonIsReported() {
    int port = Tools.freePort();
    cluster.create(ServiceSpec.newBuilder().setName("to-legacy-untrusted").setMode(Mode.MODE_CLIENT)
        .setAccept("127.0.0.1:" + port).addConnect("127.0.0.1:" + legacyPort).setServerName("legacy.example")
        .addNodes("node1"));
    cluster.await("to-legacy-untrusted", "node1", "Listening");

    Tools.Result r = ncat("hello\n", port);
    assertThat(r.out()).isEmpty();
    Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
        .until(() -> cluster.status("to-legacy-untrusted", "node1").map(NodeServiceStatus::getLastFailure).orElse(""),
            f -> f.contains("Legacy CA"));
  }

  @Test
  void stunnelClientModeReachesAnAditServiceWithAClientIdentity() {
    Tools.Result r = ncatNoShutdown("hello\n", stunnelClientPort);
    assertThat(r.out()).as(r.err()).isEqualTo("hello\n");
  }

  /**
   * stunnel turns its client's FIN into a TLS close_notify. TLS 1.3 makes that a half-close: the
   * reply still flows back. The JDK's engine keeps it so; Netty's BoringSSL engine answers a
   * close_notify by closing both ways (see Connection), which is why the README tells users of
   * half-closing TLS clients to run the agent with --tls-provider jdk.
   */
  @Test
  void aStunnelClientThatHalfClosesGetsTheWholeReplyOnTheJdkEngine() {
    Tools.Result r = ncat("hello\n", stunnelJdkClientPort);
    assertThat(r.out()).as(r.err()).isEqualTo("hello\n");
  }
}
