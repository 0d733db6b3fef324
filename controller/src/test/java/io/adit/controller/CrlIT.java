package io.adit.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adit.api.v1.CertificateServiceGrpc;
import io.adit.api.v1.CreateIdentityRequest;
import io.adit.api.v1.Crl;
import io.adit.api.v1.GetCrlRequest;
import io.adit.api.v1.IdentityServiceGrpc;
import io.adit.api.v1.Kind;
import io.adit.api.v1.Revocation;
import io.adit.api.v1.SignCertificateRequest;
import io.adit.common.config.ClientConfig;
import io.adit.common.pki.Keys;
import io.adit.common.pki.Pem;
import io.adit.common.proto.Timestamps;
import io.adit.common.store.KeyLayout;
import io.adit.common.validation.HostPort;
import io.adit.controller.store.Txn;
import io.adit.controller.store.etcd.EtcdKv;
import io.adit.store.v1.RevocationRecord;
import io.adit.testing.EtcdExtension;
import io.adit.testing.OpenSsl;
import io.adit.testing.Tools;
import io.grpc.ManagedChannel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CRL of a real controller, as the issue asks: over gRPC and plain HTTP, accepted by
 * {@code openssl verify -crl_check} and by stunnel's {@code CRLfile}, and named in the
 * certificates by {@code --crl-url}. alice's certificate is revoked, bob's is not.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrlIT {
  @RegisterExtension
  static final EtcdExtension etcd = new EtcdExtension();

  @TempDir
  static Path dir;

  static Controller controller;
  static ManagedChannel channel;
  static EtcdKv kv;
  static HttpClient http;
  static String crlUrl;
  static X509Certificate alice;
  static X509Certificate bob;

  @BeforeAll
  static void start() throws Exception {
    int httpPort = Tools.freePort();
    crlUrl = "http://127.0.0.1:" + httpPort + "/crl";
    controller = Controller.start(ControllerConfig.of(etcd.endpoints(), new HostPort("127.0.0.1", 0), dir.resolve("ctl"))
        .withHttpListen(new HostPort("127.0.0.1", httpPort)).withCrlUrl(crlUrl));
    channel = TestChannels.fromConfig(ClientConfig.read(controller.adminConfig()), controller.port());
    kv = EtcdKv.connect(etcd.endpoints(), Duration.ofSeconds(5), null);
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    Files.writeString(dir.resolve("ca.crt"), controller.authority().bundlePem());
    alice = issue("alice");
    bob = issue("bob");
    revoke(alice);
  }

  @AfterAll
  static void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (kv != null) {
      kv.close();
    }
    if (controller != null) {
      controller.close();
    }
  }

  /** A client certificate from the controller, written as NAME.crt and NAME.key. */
  static X509Certificate issue(String name) throws Exception {
    IdentityServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .createIdentity(CreateIdentityRequest.newBuilder().setName(name).build());
    KeyPair keys = Keys.generateP256();
    String pem = certificates().signCertificate(SignCertificateRequest.newBuilder().setKind(Kind.KIND_CLIENT)
        .setName(name).setCsrPem(Pem.encode(Keys.csr(keys, name))).build()).getCertificatePem();
    Files.writeString(dir.resolve(name + ".crt"), pem);
    Files.writeString(dir.resolve(name + ".key"), Pem.encode(keys.getPrivate()));
    return Pem.certificate(pem);
  }

  /** A revocation record, written as the controller's revoke calls write it. */
  static void revoke(X509Certificate cert) {
    String serial = Keys.serialHex(cert);
    Revocation r = Revocation.newBuilder().setSerial(serial).setKind(Kind.KIND_CLIENT)
        .setRevokeTime(Timestamps.of(Instant.now())).setRevokedBy("spiffe://adit.local/admin/admin")
        .setNotAfter(Timestamps.of(cert.getNotAfter().toInstant())).setReason("test").build();
    String key = KeyLayout.revoked(serial);
    assertThat(kv.commit(Txn.create().ifAbsent(key)
        .put(key, RevocationRecord.newBuilder().setRevocation(r).build().toByteArray()))).isTrue();
  }

  static CertificateServiceGrpc.CertificateServiceBlockingStub certificates() {
    return CertificateServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  static HttpResponse<byte[]> get(String method, String path) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controller.httpPort().orElseThrow() + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build();
    return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
  }

  static X509CRL parse(byte[] der) throws Exception {
    return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
  }

  @Test
  @Order(1)
  void getCrlOverGrpcListsTheRevokedCertificateSignedByTheCa() throws Exception {
    Crl crl = certificates().getCrl(GetCrlRequest.getDefaultInstance());
    X509CRL parsed = parse(crl.getDer().toByteArray());
    parsed.verify(controller.authority().active().certificate().getPublicKey());
    assertThat(parsed.isRevoked(alice)).isTrue();
    assertThat(parsed.isRevoked(bob)).isFalse();
    assertThat(crl.getRevokedCount()).isEqualTo(1);
    assertThat(crl.getCrlNumber()).isPositive();
    assertThat(Timestamps.toInstant(crl.getNextUpdate()))
        .isEqualTo(Timestamps.toInstant(crl.getThisUpdate()).plus(ControllerConfig.DEFAULT_CRL_VALIDITY));
    assertThat(crl.getPem()).startsWith("-----BEGIN X509 CRL-----\n");
  }

  @Test
  @Order(2)
  void servesTheSameCrlOverHttpAsDerAndPem() throws Exception {
    Crl crl = certificates().getCrl(GetCrlRequest.getDefaultInstance());

    HttpResponse<byte[]> der = get("GET", "/crl");
    assertThat(der.statusCode()).isEqualTo(200);
    assertThat(der.headers().firstValue("Content-Type")).contains("application/pkix-crl");
    assertThat(der.body()).isEqualTo(crl.getDer().toByteArray());

    HttpResponse<byte[]> pem = get("GET", "/crl.pem");
    assertThat(pem.statusCode()).isEqualTo(200);
    assertThat(pem.headers().firstValue("Content-Type")).contains("application/x-pem-file");
    assertThat(new String(pem.body(), java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo(crl.getPem());

    HttpResponse<byte[]> head = get("HEAD", "/crl");
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
  }

  @Test
  @Order(3)
  void answersOtherPathsWith404AndOtherMethodsWith405() throws Exception {
    assertThat(get("GET", "/").statusCode()).isEqualTo(404);
    assertThat(get("GET", "/crl.der").statusCode()).isEqualTo(404);
    HttpResponse<byte[]> post = get("POST", "/crl");
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
    assertThat(get("DELETE", "/crl.pem").statusCode()).isEqualTo(405);
  }

  @Test
  @Order(4)
  void opensslVerifyWithCrlCheckRefusesTheRevokedCertificateAndAcceptsTheOther() throws Exception {
    Files.write(dir.resolve("crl.pem"), get("GET", "/crl.pem").body());
    Files.write(dir.resolve("crl.der"), get("GET", "/crl").body());

    OpenSsl.Result refused = OpenSsl.run(dir, "verify", "-crl_check", "-CAfile", "ca.crt", "-CRLfile", "crl.pem", "alice.crt");
    assertThat(refused.exitCode()).as(refused.output()).isNotZero();
    assertThat(refused.output()).contains("certificate revoked");
    assertThat(OpenSsl.ok(dir, "verify", "-x509_strict", "-crl_check", "-CAfile", "ca.crt", "-CRLfile", "crl.pem",
        "bob.crt")).contains("bob.crt: OK");
    // The DER form is the same CRL.
    assertThat(OpenSsl.ok(dir, "crl", "-inform", "DER", "-in", "crl.der", "-noout", "-CAfile", "ca.crt"))
        .contains("verify OK");
  }

  @Test
  @Order(5)
  void certificatesSignedWithCrlUrlSetNameItAsTheirDistributionPoint() {
    assertThat(OpenSsl.ok(dir, "x509", "-in", "bob.crt", "-noout", "-text"))
        .contains("X509v3 CRL Distribution Points", "URI:" + crlUrl);
  }

  @Test
  @Order(6)
  void stunnelWithTheCrlFileRefusesTheRevokedClientAndServesTheOther() throws Exception {
    Files.write(dir.resolve("stunnel-crl.pem"), get("GET", "/crl.pem").body());
    OpenSsl.ok(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", "server.key", "-out", "server.crt", "-days", "1", "-subj", "/CN=stunnel-server");
    int backendPort = Tools.freePort();
    int stunnelPort = Tools.freePort();
    Path log = dir.resolve("stunnel.log");
    Files.writeString(dir.resolve("stunnel.conf"), String.join("\n",
        "foreground = yes",
        "pid =",
        "debug = notice",
        "output = " + log,
        "[crl]",
        "accept = 127.0.0.1:" + stunnelPort,
        "connect = 127.0.0.1:" + backendPort,
        "cert = " + dir.resolve("server.crt"),
        "key = " + dir.resolve("server.key"),
        "CAfile = " + dir.resolve("ca.crt"),
        "CRLfile = " + dir.resolve("stunnel-crl.pem"),
        "verifyChain = yes",
        "requireCert = yes",
        ""));
    try (Tools.Background backend = Tools.start(List.of("socat", "TCP-LISTEN:" + backendPort + ",bind=127.0.0.1,reuseaddr,fork", "PIPE"));
        Tools.Background stunnel = Tools.start(List.of("stunnel", dir.resolve("stunnel.conf").toString()))) {
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Tools.listening(backendPort) && Tools.listening(stunnelPort));

      Tools.Result served = ncat("bob", stunnelPort);
      assertThat(served.out()).as(served.err()).isEqualTo("hello\n");

      Tools.Result refused = ncat("alice", stunnelPort);
      assertThat(refused.out()).as(refused.err()).doesNotContain("hello");
      Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> Files.exists(log) && Files.readString(log).contains("certificate revoked"));
    }
  }

  static Tools.Result ncat(String name, int port) {
    return Tools.run(List.of("ncat", "-w", "5", "-i", "3", "--ssl", "--ssl-cert", dir.resolve(name + ".crt").toString(),
        "--ssl-key", dir.resolve(name + ".key").toString(), "127.0.0.1", String.valueOf(port)), "hello\n",
        Duration.ofSeconds(15));
  }

  @Test
  @Order(7)
  void aNewRevocationGivesANewCrlWithTheNextNumberOverBothPaths() throws Exception {
    long before = certificates().getCrl(GetCrlRequest.getDefaultInstance()).getCrlNumber();
    revoke(bob);
    Crl crl = certificates().getCrl(GetCrlRequest.getDefaultInstance());
    assertThat(crl.getCrlNumber()).isEqualTo(before + 1);
    assertThat(crl.getRevokedCount()).isEqualTo(2);
    // The HTTP path reads etcd at most once a second.
    Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(parse(get("GET", "/crl").body()).isRevoked(bob)).isTrue());
  }

  @Test
  @Order(8)
  void aPortInUseForHttpIsRefusedWithOneSentence() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      HostPort address = new HostPort("127.0.0.1", taken.getLocalPort());
      ControllerConfig config = ControllerConfig.of(etcd.endpoints(), new HostPort("127.0.0.1", 0), dir.resolve("ctl"))
          .withHttpListen(address);
      assertThatThrownBy(() -> Controller.start(config)).isInstanceOf(IOException.class)
          .hasMessage("cannot serve the CRL on " + address + ": the address is already in use (another controller or"
              + " program listens there); choose another address with --http-listen");
    }
  }

  @Test
  @Order(9)
  void aControllerWithoutHttpListenServesNoHttp() throws Exception {
    try (Controller second = Controller.start(ControllerConfig.of(etcd.endpoints(), new HostPort("127.0.0.1", 0),
        dir.resolve("ctl")))) {
      assertThat(second.httpPort()).isEmpty();
      // Its CRL has the next number: the number lives in etcd, not in a controller.
      ManagedChannel other = TestChannels.fromConfig(ClientConfig.read(controller.adminConfig()), second.port());
      try {
        long shared = certificates().getCrl(GetCrlRequest.getDefaultInstance()).getCrlNumber();
        Crl crl = CertificateServiceGrpc.newBlockingStub(other).withDeadlineAfter(10, TimeUnit.SECONDS)
            .getCrl(GetCrlRequest.getDefaultInstance());
        assertThat(crl.getCrlNumber()).isGreaterThan(shared);
        assertThat(parse(crl.getDer().toByteArray()).getRevokedCertificates())
            .extracting(e -> e.getSerialNumber()).containsExactlyInAnyOrder(alice.getSerialNumber(), bob.getSerialNumber());
      } finally {
        other.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
