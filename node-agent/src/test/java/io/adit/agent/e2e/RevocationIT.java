package io.adit.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adit.api.v1.CertificateServiceGrpc;
import io.adit.api.v1.IdentityServiceGrpc;
import io.adit.api.v1.Mode;
import io.adit.api.v1.NodeServiceStatus;
import io.adit.api.v1.RevokeCertificateRequest;
import io.adit.api.v1.RevokeIdentityRequest;
import io.adit.api.v1.ServiceSpec;
import io.adit.common.pki.Keys;
import io.adit.testing.EtcdExtension;
import io.adit.testing.Tools;
import java.io.IOException;
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
 * Revocation that bites: through a real agent, a live connection whose peer certificate is
 * revoked — by identity or by serial, in server and in client mode — is closed, the next
 * handshake with it is refused with the reason, and everyone else keeps working. A service
 * whose own certificate is revoked gets a new one.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RevocationIT {
  @RegisterExtension
  static final EtcdExtension etcd = new EtcdExtension();

  @TempDir
  static Path dir;

  static Cluster cluster;
  static Tools.Background backend;
  static int backendPort;
  static int guardedPort;

  @BeforeAll
  static void start() throws Exception {
    backendPort = Tools.freePort();
    backend = Cluster.socatEcho(backendPort);
    cluster = new Cluster(etcd.endpoints(), dir, null);
    cluster.agent("node1");
    guardedPort = Tools.freePort();
    cluster.create(ServiceSpec.newBuilder().setName("guarded").setAccept("127.0.0.1:" + guardedPort)
        .addConnect("127.0.0.1:" + backendPort).addNodes("node1"));
    cluster.await("guarded", "node1", "Listening");
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

  static TlsEcho connect(int port, String serverName, Cluster.Credential who) throws Exception {
    return TlsEcho.tls(port, serverName, cluster.trust, who.key(), who.cert());
  }

  static void revokeSerial(String serial) {
    CertificateServiceGrpc.newBlockingStub(cluster.admin).withDeadlineAfter(10, TimeUnit.SECONDS)
        .revokeCertificate(RevokeCertificateRequest.newBuilder().setSerial(serial).setReason("test").build());
  }

  static void awaitLastFailure(String service, String... words) {
    Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
        .until(() -> cluster.status(service, "node1").map(NodeServiceStatus::getLastFailure).orElse(""),
            f -> List.of(words).stream().allMatch(f::contains));
  }

  @Test
  void revokingAnIdentityClosesItsLiveConnectionAndRefusesItsNextHandshake() throws Exception {
    Cluster.Credential alice = cluster.client("alice");
    Cluster.Credential bob = cluster.client("bob");
    try (TlsEcho aliceLive = connect(guardedPort, "guarded", alice); TlsEcho bobLive = connect(guardedPort, "guarded", bob)) {
      assertThat(aliceLive.echo("before")).isEqualTo("before");
      assertThat(bobLive.echo("before")).isEqualTo("before");

      IdentityServiceGrpc.newBlockingStub(cluster.admin).withDeadlineAfter(10, TimeUnit.SECONDS)
          .revokeIdentity(RevokeIdentityRequest.newBuilder().setName("alice").build());

      assertThat(aliceLive.closedWithin(Duration.ofSeconds(10))).as("alice's live connection is closed").isTrue();
      assertThat(bobLive.echo("still here")).isEqualTo("still here");
    }
    assertThatThrownBy(() -> {
      try (TlsEcho again = connect(guardedPort, "guarded", alice)) {
        again.echo("again");
      }
    }).isInstanceOf(IOException.class);
    awaitLastFailure("guarded", "alice", "revoked");
  }

  @Test
  void revokingOneSerialClosesThatCertificateOnlyAndANewCertificateWorks() throws Exception {
    Cluster.Credential first = cluster.client("carol");
    try (TlsEcho live = connect(guardedPort, "guarded", first)) {
      assertThat(live.echo("hello")).isEqualTo("hello");
      revokeSerial(Keys.serialHex(first.cert()));
      assertThat(live.closedWithin(Duration.ofSeconds(10))).as("the revoked certificate's connection is closed").isTrue();
    }
    assertThatThrownBy(() -> {
      try (TlsEcho again = connect(guardedPort, "guarded", first)) {
        again.echo("again");
      }
    }).isInstanceOf(IOException.class);
    awaitLastFailure("guarded", Keys.serialHex(first.cert()), "revoked");

    Cluster.Credential renewed = cluster.reissue("carol");
    try (TlsEcho fresh = connect(guardedPort, "guarded", renewed)) {
      assertThat(fresh.echo("new certificate")).isEqualTo("new certificate");
    }
  }

  @Test
  void aClientModeRelayDropsARevokedServerAndTheServiceGetsANewCertificate() throws Exception {
    int serverPort = Tools.freePort();
    int clientPort = Tools.freePort();
    cluster.client("dave");
    cluster.create(ServiceSpec.newBuilder().setName("inner").setAccept("127.0.0.1:" + serverPort)
        .addConnect("127.0.0.1:" + backendPort).addNodes("node1").addAllow("dave"));
    cluster.create(ServiceSpec.newBuilder().setName("outer").setMode(Mode.MODE_CLIENT).setAccept("127.0.0.1:" + clientPort)
        .setTo("inner").setIdentity("dave").addNodes("node1"));
    String served = cluster.await("inner", "node1", "Listening").getCertSerial();
    cluster.await("outer", "node1", "Listening");

    try (TlsEcho live = TlsEcho.plain(clientPort)) {
      assertThat(live.echo("through both")).isEqualTo("through both");
      revokeSerial(served);
      // The server side holds dave's connection, which is not revoked: only the client-mode
      // relay, checking the server's certificate, can have closed it.
      assertThat(live.closedWithin(Duration.ofSeconds(10))).as("the client-mode relay drops the revoked server").isTrue();
    }

    Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
        .until(() -> cluster.status("inner", "node1").map(NodeServiceStatus::getCertSerial).orElse(served),
            serial -> !serial.equals(served));
    Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
        .until(() -> {
          try (TlsEcho again = TlsEcho.plain(clientPort)) {
            return again.echo("after renewal").equals("after renewal");
          }
        });
  }
}
