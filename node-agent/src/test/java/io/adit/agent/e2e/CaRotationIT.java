package io.adit.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.api.v1.CertificateAuthority;
import io.adit.api.v1.CertificateServiceGrpc;
import io.adit.api.v1.CreateIdentityRequest;
import io.adit.api.v1.GetTrustBundleRequest;
import io.adit.api.v1.IdentityServiceGrpc;
import io.adit.api.v1.Kind;
import io.adit.api.v1.ListCasRequest;
import io.adit.api.v1.Mode;
import io.adit.api.v1.RevokeCertificateRequest;
import io.adit.api.v1.RotateCaResponse;
import io.adit.api.v1.ServiceSpec;
import io.adit.api.v1.SignCertificateRequest;
import io.adit.api.v1.SignCertificateResponse;
import io.adit.common.config.ClientConfig;
import io.adit.common.pki.Keys;
import io.adit.common.pki.Pem;
import io.adit.common.store.KeyLayout;
import io.adit.controller.Controller;
import io.adit.controller.ca.CaRotation;
import io.adit.testing.EtcdExtension;
import io.adit.testing.Tools;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.PutOption;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CA rotation under live traffic, with 20 s certificates: plaintext connections into a
 * client-mode service on node-b, TLS (node-b's client identity, node-a's service certificate)
 * to a server-mode service on node-a, then a socat echo. The CA is prepared, waits for a Ready
 * node that does not hold the new bundle, activates once that node is gone, every certificate
 * renews from the new CA, the old CA retires — and not one connection fails.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class CaRotationIT {
  @RegisterExtension
  static final EtcdExtension etcd = new EtcdExtension();

  @TempDir
  Path dir;

  @Test
  void rotatesTheCaUnderLiveTrafficWithoutAFailedConnection() throws Exception {
    int backendPort = Tools.freePort();
    int serverPort = Tools.freePort();
    int clientPort = Tools.freePort();
    CaRotation.Settings rotation = new CaRotation.Settings(Controller.DEFAULT_ROTATION.minPrepared(), Duration.ofSeconds(2));
    try (Tools.Background echo = Cluster.socatEcho(backendPort);
        Cluster cluster = new Cluster(etcd.endpoints(), dir, Duration.ofSeconds(20), c -> c, rotation);
        Client etcdClient = Client.builder().endpoints(etcd.endpoints().toArray(String[]::new)).build()) {
      cluster.agent("node-a");
      cluster.agent("node-b");
      IdentityServiceGrpc.newBlockingStub(cluster.admin).withDeadlineAfter(10, TimeUnit.SECONDS)
          .createIdentity(CreateIdentityRequest.newBuilder().setName("app").build());
      cluster.create(ServiceSpec.newBuilder().setName("web").setAccept("127.0.0.1:" + serverPort)
          .addConnect("127.0.0.1:" + backendPort).addNodes("node-a").addAllow("app"));
      cluster.create(ServiceSpec.newBuilder().setName("web-out").setMode(Mode.MODE_CLIENT)
          .setAccept("127.0.0.1:" + clientPort).setTo("web").setIdentity("app").addNodes("node-b"));
      cluster.await("web", "node-a", "Listening");
      cluster.await("web-out", "node-b", "Listening");
      X509Certificate oldCa = cluster.trust.get(0);

      // A Ready node (its presence lease alive) whose agent never reports the new bundle.
      long lease = etcdClient.getLeaseClient().grant(120).get(10, TimeUnit.SECONDS).getID();
      etcdClient.getKVClient().put(ByteSequence.from(KeyLayout.nodePresence("node-stale"), StandardCharsets.UTF_8),
          ByteSequence.from(new byte[0]), PutOption.builder().withLeaseId(lease).build()).get(10, TimeUnit.SECONDS);

      Traffic traffic = new Traffic(clientPort);
      traffic.start();
      try (TlsEcho longLived = TlsEcho.plain(clientPort)) {
        assertThat(longLived.echo("before")).isEqualTo("before");

        RotateCaResponse rotated = ca(cluster.admin).rotateCa(io.adit.api.v1.RotateCaRequest.getDefaultInstance());
        String newId = rotated.getPrepared().getId();
        List<X509Certificate> bundle = Pem.certificates(rotated.getBundlePem());
        assertThat(bundle).hasSize(2).contains(oldCa);
        X509Certificate newCa = bundle.stream().filter(c -> !c.equals(oldCa)).findFirst().orElseThrow();
        assertThat(newCa.getSubjectX500Principal().getName()).contains("CN=Adit CA 2");
        // The same admin credential, trusting the whole bundle: the controller's certificate
        // comes from the new CA once it is active.
        ClientConfig adminConf = ClientConfig.read(cluster.controller.adminConfig());
        ManagedChannel admin = channel(cluster, bundle, Pem.privateKey(adminConf.keyPem()), Pem.certificate(adminConf.certPem()));
        ManagedChannel newAdmin = null;
        try {
          // Both agents apply and report the new bundle; the stale node holds the CA back.
          CertificateAuthority waiting = Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
              .until(() -> find(admin, newId), c -> c.getWaitingForNodesList().equals(List.of("node-stale")));
          assertThat(waiting.getState()).isEqualTo("prepared");
          assertThat(find(admin, newId).getState()).as("a Ready node with an older bundle blocks activation")
              .isEqualTo("prepared");

          // The stale node goes away (NotReady): it no longer blocks.
          etcdClient.getLeaseClient().revoke(lease).get(10, TimeUnit.SECONDS);
          Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
              .until(() -> find(admin, newId).getState(), "active"::equals);
          assertThat(stateOf(admin, ClusterIds.of(oldCa))).isEqualTo("retiring");

          // A new admin credential from the new CA; the old one is revoked so it holds the old CA no longer.
          KeyPair adminKey = Keys.generateP256();
          SignCertificateResponse signed = ca(admin).signCertificate(SignCertificateRequest.newBuilder()
              .setKind(Kind.KIND_ADMIN).setName("admin2").setTtlSeconds(3600)
              .setCsrPem(Pem.encode(Keys.csr(adminKey, "admin2"))).build());
          assertThat(Pem.certificate(signed.getCertificatePem()).getIssuerX500Principal())
              .isEqualTo(newCa.getSubjectX500Principal());
          newAdmin = channel(cluster, bundle, adminKey.getPrivate(), Pem.certificate(signed.getCertificatePem()));
          ca(newAdmin).revokeCertificate(RevokeCertificateRequest.newBuilder()
              .setSerial(Keys.serialHex(Pem.certificate(adminConf.certPem()))).setReason("CA rotation").build());

          // Every certificate the agents hold renews from the new CA, at about half its life.
          Path a = dir.resolve("agent-node-a");
          Path b = dir.resolve("agent-node-b");
          Awaitility.await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertThat(issuer(a.resolve("certs/service-web.crt"))).isEqualTo(newCa.getSubjectX500Principal().getName());
            assertThat(issuer(b.resolve("certs/client-app.crt"))).isEqualTo(newCa.getSubjectX500Principal().getName());
            assertThat(nodeIssuer(a)).isEqualTo(newCa.getSubjectX500Principal().getName());
            assertThat(nodeIssuer(b)).isEqualTo(newCa.getSubjectX500Principal().getName());
          });

          // The old CA retires once the last certificate it signed has expired (20 s + 2 s slack).
          ManagedChannel last = newAdmin;
          CertificateAuthority retiring = find(last, ClusterIds.of(oldCa));
          assertThat(retiring.getState()).isEqualTo("retiring");
          assertThat(retiring.hasRetireTime()).isTrue();
          Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
              .until(() -> stateOf(last, ClusterIds.of(oldCa)), "retired"::equals);
          assertThat(java.time.Instant.now()).as("it retires no earlier than ca list said")
              .isAfterOrEqualTo(java.time.Instant.ofEpochSecond(retiring.getRetireTime().getSeconds(),
                  retiring.getRetireTime().getNanos()));
          List<X509Certificate> after = Pem.certificates(ca(last).getTrustBundle(GetTrustBundleRequest.getDefaultInstance()).getPem());
          assertThat(after).containsExactly(newCa);

          // A client trusting the new CA alone reaches the server-mode service directly.
          KeyPair appKey = Keys.generateP256();
          SignCertificateResponse app = ca(last).signCertificate(SignCertificateRequest.newBuilder().setKind(Kind.KIND_CLIENT)
              .setName("app").setTtlSeconds(60).setCsrPem(Pem.encode(Keys.csr(appKey, "app"))).build());
          try (TlsEcho direct = TlsEcho.tls(serverPort, "web", List.of(newCa), appKey.getPrivate(),
              Pem.certificate(app.getCertificatePem()))) {
            assertThat(direct.echo("new CA only")).isEqualTo("new CA only");
          }
          // Traffic keeps flowing a little longer on the new bundle alone.
          int seen = traffic.ok.get();
          Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> traffic.ok.get() > seen + 50);
        } finally {
          admin.shutdownNow();
          if (newAdmin != null) {
            newAdmin.shutdownNow();
          }
        }
        assertThat(longLived.echo("after")).as("a connection opened before the rotation lives through it").isEqualTo("after");
      } finally {
        traffic.stop();
      }
      assertThat(traffic.failures).as("failed connections out of " + traffic.ok.get()).isEmpty();
      assertThat(traffic.ok.get()).isGreaterThan(200);
    }
  }

  /** Plaintext connections into the client-mode service, one after another, on a thread of its own. */
  static final class Traffic {
    final int port;
    final AtomicInteger ok = new AtomicInteger();
    final Set<String> failures = ConcurrentHashMap.newKeySet();
    final AtomicBoolean running = new AtomicBoolean(true);
    final Thread thread;

    Traffic(int port) {
      this.port = port;
      this.thread = new Thread(this::run, "traffic");
      thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    private void run() {
      // Bounded: the test's own timeout, and at most 20,000 connections.
      for (int i = 0; running.get() && i < 20_000; i++) {
        String line = "ping " + i;
        try (TlsEcho e = TlsEcho.plain(port)) {
          String back = e.echo(line);
          if (back.equals(line)) {
            ok.incrementAndGet();
          } else {
            failures.add("connection " + i + " got '" + back + "'");
          }
        } catch (Exception ex) {
          failures.add("connection " + i + ": " + ex);
        }
      }
    }

    void stop() throws InterruptedException {
      running.set(false);
      thread.join(TimeUnit.SECONDS.toMillis(30));
    }
  }

  /** The ids the controller gives CAs (ClusterAuthority.caId), for lookups in ListCas. */
  static final class ClusterIds {
    static String of(X509Certificate ca) {
      return io.adit.controller.ca.ClusterAuthority.caId(ca);
    }
  }

  static CertificateServiceGrpc.CertificateServiceBlockingStub ca(ManagedChannel channel) {
    return CertificateServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  static CertificateAuthority find(ManagedChannel admin, String id) {
    return ca(admin).listCas(ListCasRequest.getDefaultInstance()).getAuthoritiesList().stream()
        .filter(c -> c.getId().equals(id)).findFirst().orElseThrow();
  }

  static String stateOf(ManagedChannel admin, String id) {
    return find(admin, id).getState();
  }

  static ManagedChannel channel(Cluster cluster, List<X509Certificate> trust, PrivateKey key, X509Certificate cert)
      throws Exception {
    return NettyChannelBuilder.forAddress("localhost", cluster.controller.port())
        .sslContext(GrpcSslContexts.forClient().trustManager(trust).keyManager(key, cert).build())
        .build();
  }

  static String issuer(Path certFile) throws Exception {
    return Pem.certificate(Files.readString(certFile)).getIssuerX500Principal().getName();
  }

  static String nodeIssuer(Path agentDir) throws Exception {
    return Pem.certificate(ClientConfig.read(agentDir.resolve("node.conf")).certPem()).getIssuerX500Principal().getName();
  }
}
