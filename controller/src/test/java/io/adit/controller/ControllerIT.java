package io.adit.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adit.api.v1.CertificateServiceGrpc;
import io.adit.api.v1.CreateIdentityRequest;
import io.adit.api.v1.CreateJoinTokenRequest;
import io.adit.api.v1.CreateServiceRequest;
import io.adit.api.v1.DeleteServiceRequest;
import io.adit.api.v1.GetServiceRequest;
import io.adit.api.v1.GetTrustBundleRequest;
import io.adit.api.v1.IdentityServiceGrpc;
import io.adit.api.v1.JoinRequest;
import io.adit.api.v1.JoinResponse;
import io.adit.api.v1.Kind;
import io.adit.api.v1.ListNodesRequest;
import io.adit.api.v1.ListServicesRequest;
import io.adit.api.v1.Mode;
import io.adit.api.v1.NodeServiceGrpc;
import io.adit.api.v1.Service;
import io.adit.api.v1.ServiceSpec;
import io.adit.api.v1.SignCertificateRequest;
import io.adit.api.v1.SignCertificateResponse;
import io.adit.api.v1.TunnelServiceGrpc;
import io.adit.api.v1.UpdateServiceRequest;
import io.adit.api.v1.Verify;
import io.adit.common.config.ClientConfig;
import io.adit.common.pki.Keys;
import io.adit.common.pki.Pem;
import io.adit.common.pki.SpiffeId;
import io.adit.common.validation.HostPort;
import io.adit.testing.EtcdExtension;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import io.adit.common.proto.Timestamps;
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

@Timeout(value = 180, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ControllerIT {
  @RegisterExtension
  static final EtcdExtension etcd = new EtcdExtension();

  @TempDir
  static Path dir;

  static Controller controller;
  static ClientConfig admin;
  static ManagedChannel channel;

  @BeforeAll
  static void start() throws Exception {
    controller = Controller.start(ControllerConfig.of(etcd.endpoints(), new HostPort("127.0.0.1", 0), dir.resolve("ctl")));
    admin = ClientConfig.read(controller.adminConfig());
    channel = TestChannels.fromConfig(admin, controller.port());
  }

  @AfterAll
  static void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (controller != null) {
      controller.close();
    }
  }

  static TunnelServiceGrpc.TunnelServiceBlockingStub tunnels() {
    return TunnelServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  static ServiceSpec.Builder echo(String name) {
    return ServiceSpec.newBuilder().setName(name).setAccept("6000").addConnect("127.0.0.1:7000").addNodes("node-a");
  }

  @Test
  @Order(1)
  void writesAPrivateAdminConfigThatNamesThisController() throws Exception {
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(controller.adminConfig()))).isEqualTo("rw-------");
    assertThat(admin.controllers()).containsExactly("127.0.0.1:" + controller.port());
    X509Certificate cert = Pem.certificate(admin.certPem());
    assertThat(SpiffeId.of(cert)).contains(new SpiffeId("adit.local", SpiffeId.Kind.ADMIN, "admin"));
    assertThat(Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant()).toDays()).isBetween(364L, 366L);
  }

  @Test
  void createsGetsListsUpdatesAndDeletesAService() {
    Service created = tunnels().createService(CreateServiceRequest.newBuilder().setSpec(echo("svc-crud")).build());
    assertThat(created.getSpec().getMode()).isEqualTo(Mode.MODE_SERVER);
    assertThat(created.getSpec().getVerify()).isEqualTo(Verify.VERIFY_REQUIRE);
    assertThat(created.getVersion()).isPositive();
    assertThat(created.getWarningsList()).anyMatch(w -> w.contains("node-a has not joined"));
    assertThat(created.getUpdatedBy()).isEqualTo("spiffe://adit.local/admin/admin");

    assertThat(tunnels().listServices(ListServicesRequest.getDefaultInstance()).getServicesList())
        .extracting(s -> s.getSpec().getName()).contains("svc-crud");

    Service updated = tunnels().updateService(UpdateServiceRequest.newBuilder()
        .setSpec(created.getSpec().toBuilder().setVerify(Verify.VERIFY_NONE)).setExpectedVersion(created.getVersion()).build());
    assertThat(updated.getSpec().getVerify()).isEqualTo(Verify.VERIFY_NONE);
    assertThat(updated.getWarningsList()).anyMatch(w -> w.contains("--verify none"));

    // A second writer that read the old version loses: compare-and-swap, not last-writer-wins.
    assertStatus(() -> tunnels().updateService(UpdateServiceRequest.newBuilder()
        .setSpec(created.getSpec()).setExpectedVersion(created.getVersion()).build()), Status.Code.ABORTED, "changed since");

    tunnels().deleteService(DeleteServiceRequest.newBuilder().setName("svc-crud").build());
    assertStatus(() -> tunnels().getService(GetServiceRequest.newBuilder().setName("svc-crud").build()),
        Status.Code.NOT_FOUND, "does not exist");
  }

  @Test
  void refusesDuplicatesAndBadSpecsWithTheirReason() {
    tunnels().createService(CreateServiceRequest.newBuilder().setSpec(echo("svc-dup")).build());
    assertStatus(() -> tunnels().createService(CreateServiceRequest.newBuilder().setSpec(echo("svc-dup")).build()),
        Status.Code.ALREADY_EXISTS, "already exists");
    assertStatus(() -> tunnels().createService(CreateServiceRequest.newBuilder().setSpec(echo("svc-x").clearNodes()).build()),
        Status.Code.INVALID_ARGUMENT, "--node NODE or --all-nodes");
    assertStatus(() -> tunnels().createService(CreateServiceRequest.newBuilder().setSpec(echo("Bad_Name")).build()),
        Status.Code.INVALID_ARGUMENT, "not a valid DNS label");
    assertStatus(() -> tunnels().createService(CreateServiceRequest.newBuilder()
            .setSpec(echo("svc-c").setMode(Mode.MODE_CLIENT).clearConnect().setTo("nope")).build()),
        Status.Code.INVALID_ARGUMENT, "'nope', which does not exist");
    assertStatus(() -> tunnels().createService(CreateServiceRequest.newBuilder().setSpec(echo("svc-p").setAccept("70000")).build()),
        Status.Code.INVALID_ARGUMENT, "out of range");
  }

  @Test
  void signsClientCertificatesOnlyForExistingUnrevokedIdentities() {
    var identities = IdentityServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    var certs = CertificateServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    String csr = Pem.encode(Keys.csr(Keys.generateP256(), "ignored"));
    assertStatus(() -> certs.signCertificate(SignCertificateRequest.newBuilder()
        .setKind(Kind.KIND_CLIENT).setName("ghost").setCsrPem(csr).build()), Status.Code.NOT_FOUND, "does not exist");

    identities.createIdentity(CreateIdentityRequest.newBuilder().setName("client1").build());
    SignCertificateResponse r = certs.signCertificate(SignCertificateRequest.newBuilder()
        .setKind(Kind.KIND_CLIENT).setName("client1").setCsrPem(csr).setTtlSeconds(60).build());
    X509Certificate cert = Pem.certificate(r.getCertificatePem());
    assertThat(SpiffeId.of(cert)).contains(new SpiffeId("adit.local", SpiffeId.Kind.CLIENT, "client1"));
    assertThat(Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant())).isLessThanOrEqualTo(Duration.ofSeconds(120));
    assertThat(r.getTrustBundlePem()).isEqualTo(certs.getTrustBundle(GetTrustBundleRequest.getDefaultInstance()).getPem());
    assertThat(identities.getIdentity(io.adit.api.v1.GetIdentityRequest.newBuilder().setName("client1").build()).getLastSerial())
        .isEqualTo(r.getSerial());

    identities.revokeIdentity(io.adit.api.v1.RevokeIdentityRequest.newBuilder().setName("client1").build());
    assertStatus(() -> certs.signCertificate(SignCertificateRequest.newBuilder()
        .setKind(Kind.KIND_CLIENT).setName("client1").setCsrPem(csr).build()), Status.Code.FAILED_PRECONDITION, "revoked");
  }

  @Test
  void joinTokensAreSingleUseExpireAndPinTheCa() {
    var nodes = NodeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    String token = nodes.createJoinToken(CreateJoinTokenRequest.getDefaultInstance()).getToken();
    assertThat(token).matches("[A-Za-z0-9._-]+");
    String caHash = Keys.spkiHash(controller.authority().active().certificate());
    assertThat(token).endsWith("." + caHash);

    KeyPair key = Keys.generateP256();
    JoinResponse joined = join(token, "node-j1", key);
    X509Certificate nodeCert = Pem.certificate(joined.getCertificatePem());
    assertThat(SpiffeId.of(nodeCert)).contains(new SpiffeId("adit.local", SpiffeId.Kind.NODE, "node-j1"));
    assertThat(joined.getEtcdEndpointsList()).isEqualTo(etcd.endpoints());

    assertStatus(() -> join(token, "node-j2", key), Status.Code.PERMISSION_DENIED, "already used by node node-j1");

    String second = nodes.createJoinToken(CreateJoinTokenRequest.getDefaultInstance()).getToken();
    assertStatus(() -> join(second, "node-j1", key), Status.Code.ALREADY_EXISTS, "held by another node");

    var shortLived = nodes.createJoinToken(CreateJoinTokenRequest.newBuilder().setTtlSeconds(1).build());
    Instant expiry = Timestamps.toInstant(shortLived.getExpireTime());
    assertThat(expiry).isBetween(Instant.now(), Instant.now().plusSeconds(2));
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().isAfter(expiry));
    assertStatus(() -> join(shortLived.getToken(), "node-j3", key), Status.Code.PERMISSION_DENIED, "expired at");

    assertStatus(() -> join("garbage", "node-j4", key), Status.Code.PERMISSION_DENIED, "malformed");
    assertThat(nodes.listNodes(ListNodesRequest.getDefaultInstance()).getNodesList())
        .anySatisfy(n -> {
          assertThat(n.getName()).isEqualTo("node-j1");
          assertThat(n.getReady()).isFalse();
        });
  }

  @Test
  void aNodeWhoseCertificateExpiredRejoinsUnderItsNameWithANewTokenAndProofOfItsKey() {
    var nodes = NodeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    KeyPair key = Keys.generateP256();
    String first = join(nodes.createJoinToken(CreateJoinTokenRequest.getDefaultInstance()).getToken(), "node-r1", key)
        .getCertificatePem();

    String token = nodes.createJoinToken(CreateJoinTokenRequest.getDefaultInstance()).getToken();
    assertStatus(() -> join(token, "node-r1", Keys.generateP256(), first), Status.Code.PERMISSION_DENIED,
        "does not prove that this is node node-r1");
    JoinResponse again = join(token, "node-r1", key, first);
    assertThat(SpiffeId.of(Pem.certificate(again.getCertificatePem())))
        .contains(new SpiffeId("adit.local", SpiffeId.Kind.NODE, "node-r1"));
  }

  static JoinResponse join(String token, String name, KeyPair key) {
    return join(token, name, key, "");
  }

  static JoinResponse join(String token, String name, KeyPair key, String previousCertificate) {
    // A joining node has no certificate yet: it trusts the CA its token pins.
    ManagedChannel anonymous = TestChannels.as(controller.port(), controller.authority().bundle(), null);
    try {
      return NodeServiceGrpc.newBlockingStub(anonymous).withDeadlineAfter(10, TimeUnit.SECONDS)
          .join(JoinRequest.newBuilder().setToken(token).setNodeName(name).setPreviousCertificatePem(previousCertificate)
              .setCsrPem(Pem.encode(Keys.csr(key, name))).build());
    } finally {
      anonymous.shutdownNow();
    }
  }

  @Test
  void secondControllerWithTheKekServesTheSameCaAndWithoutItSaysWhatToCopy() throws Exception {
    Path second = dir.resolve("ctl2");
    Files.createDirectories(second);
    assertThatThrownBy(() -> Controller.start(ControllerConfig.of(etcd.endpoints(), new HostPort("127.0.0.1", 0), second)))
        .hasMessageContaining("copy ca.kek");
    Files.copy(dir.resolve("ctl").resolve("ca.kek"), second.resolve("ca.kek"));
    try (Controller two = Controller.start(ControllerConfig.of(etcd.endpoints(), new HostPort("127.0.0.1", 0), second))) {
      assertThat(two.authority().bundle()).isEqualTo(controller.authority().bundle());
      ManagedChannel ch = TestChannels.fromConfig(admin, two.port());
      try {
        // The first controller's admin credential works on the second one.
        assertThat(TunnelServiceGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
            .listServices(ListServicesRequest.getDefaultInstance())).isNotNull();
      } finally {
        ch.shutdownNow();
      }
    }
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void failsFastWithUnavailableWhileEtcdIsDownAndRecoversWhenItReturns() throws Exception {
    etcd.stop();
    try {
      long start = System.nanoTime();
      assertStatus(() -> tunnels().listServices(ListServicesRequest.getDefaultInstance()),
          Status.Code.UNAVAILABLE, etcd.endpoints().get(0));
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(9));
    } finally {
      etcd.restart();
    }
    Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
        .until(() -> tunnels().listServices(ListServicesRequest.getDefaultInstance()) != null);
  }

  @Test
  void neitherTheCaKeyNorAJoinTokenSecretIsInEtcdInPlaintext() throws Exception {
    String token = NodeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .createJoinToken(CreateJoinTokenRequest.getDefaultInstance()).getToken();
    String secret = token.split("\\.")[1];
    byte[] caKey = controller.authority().active().privateKey().getEncoded();
    byte[] caScalar = ((java.security.interfaces.ECPrivateKey) controller.authority().active().privateKey()).getS()
        .toByteArray();

    java.io.ByteArrayOutputStream everything = new java.io.ByteArrayOutputStream();
    try (io.etcd.jetcd.Client raw = io.etcd.jetcd.Client.builder().endpoints(etcd.endpoints().toArray(String[]::new))
        .build()) {
      var all = raw.getKVClient().get(io.etcd.jetcd.ByteSequence.from(new byte[] {0}),
          io.etcd.jetcd.options.GetOption.builder().withRange(io.etcd.jetcd.ByteSequence.from(new byte[] {0})).build())
          .get(10, TimeUnit.SECONDS);
      assertThat(all.getKvs()).as("etcd holds the cluster's records").isNotEmpty();
      for (var kv : all.getKvs()) {
        everything.write(kv.getKey().getBytes());
        everything.write(kv.getValue().getBytes());
      }
    }
    byte[] dump = everything.toByteArray();
    String text = new String(dump, java.nio.charset.StandardCharsets.ISO_8859_1);
    assertThat(text).doesNotContain(secret).doesNotContain("PRIVATE KEY");
    assertThat(indexOf(dump, caKey)).as("the CA key's PKCS#8 bytes").isEqualTo(-1);
    assertThat(indexOf(dump, caScalar)).as("the CA key's private scalar").isEqualTo(-1);
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (java.util.Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    return -1;
  }

  static void assertStatus(Runnable call, Status.Code code, String messagePart) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(code);
          assertThat(e.getStatus().getDescription()).contains(messagePart);
        });
  }

}
