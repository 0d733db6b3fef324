package io.adit.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.agent.Agent;
import io.adit.api.v1.DeleteServiceRequest;
import io.adit.api.v1.GetServiceRequest;
import io.adit.api.v1.Mode;
import io.adit.api.v1.NodeServiceStatus;
import io.adit.api.v1.ServiceSpec;
import io.adit.api.v1.UpdateServiceRequest;
import io.adit.testing.EtcdExtension;
import io.adit.testing.Tools;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
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

/** Agents reacting to changes: updates, deletes, busy ports, chaining, and a restart without etcd. */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentLifecycleIT {
  @RegisterExtension
  static final EtcdExtension etcd = new EtcdExtension();

  @TempDir
  static Path dir;

  static Cluster cluster;
  static Agent nodeA;
  static Tools.Background backend;
  static Tools.Background otherBackend;
  static int backendPort;
  static int otherBackendPort;

  @BeforeAll
  static void start() throws Exception {
    backendPort = Tools.freePort();
    otherBackendPort = Tools.freePort();
    backend = Tools.start(List.of("socat", "TCP-LISTEN:" + backendPort + ",bind=127.0.0.1,reuseaddr,fork", "PIPE"));
    // A second backend that greets instead of echoing, to tell the two apart.
    otherBackend = Tools.start(List.of("socat", "TCP-LISTEN:" + otherBackendPort + ",bind=127.0.0.1,reuseaddr,fork",
        "SYSTEM:echo other-backend"));
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Tools.listening(backendPort) && Tools.listening(otherBackendPort));
    cluster = new Cluster(etcd.endpoints(), dir, null);
    nodeA = cluster.agent("node-a");
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
    for (Tools.Background b : new Tools.Background[] {backend, otherBackend}) {
      if (b != null) {
        b.close();
      }
    }
  }

  static ServiceSpec.Builder server(String name, int port, int backend) {
    return ServiceSpec.newBuilder().setName(name).setAccept("127.0.0.1:" + port).addConnect("127.0.0.1:" + backend)
        .addNodes("node-a").addAllow("client1");
  }

  @Test
  @Order(1)
  void anUpdateRestartsOnlyThatRelayDrainingItsConnectionsAndADeleteStopsIt() throws Exception {
    Cluster.Credential client = cluster.client("client1");
    int portA = Tools.freePort();
    int portB = Tools.freePort();
    cluster.create(server("svc-a", portA, backendPort));
    cluster.create(server("svc-b", portB, backendPort));
    String serialA = cluster.await("svc-a", "node-a", "Listening").getCertSerial();
    cluster.await("svc-b", "node-a", "Listening");

    try (TlsEcho a = TlsEcho.tls(portA, "svc-a", cluster.trust, client.key(), client.cert());
        TlsEcho b = TlsEcho.tls(portB, "svc-b", cluster.trust, client.key(), client.cert())) {
      assertThat(a.echo("one")).isEqualTo("one");
      assertThat(b.echo("one")).isEqualTo("one");

      ServiceSpec current = cluster.tunnels().getService(GetServiceRequest.newBuilder().setName("svc-b").build()).getSpec();
      cluster.tunnels().updateService(UpdateServiceRequest.newBuilder()
          .setSpec(current.toBuilder().setConnect(0, "127.0.0.1:" + otherBackendPort)).build());

      // New connections to svc-b reach the new backend within a second or so. (One that the old
      // listener had already accepted when it closed drains with the old backend: a short read
      // timeout lets the check move on to the next connection.)
      Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
        try (TlsEcho fresh = TlsEcho.tls(portB, "svc-b", cluster.trust, client.key(), client.cert())) {
          return fresh.readTimeout(Duration.ofSeconds(1)).readLine().equals("other-backend");
        }
      });
      // ...while the connection opened before keeps its backend (drained, not cut), and svc-a
      // was not touched at all.
      assertThat(b.echo("three")).isEqualTo("three");
      assertThat(a.echo("three")).isEqualTo("three");
      assertThat(cluster.status("svc-a", "node-a").orElseThrow().getCertSerial()).isEqualTo(serialA);
    }

    cluster.tunnels().deleteService(DeleteServiceRequest.newBuilder().setName("svc-b").build());
    Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> !Tools.listening(portB));
    assertThat(Tools.listening(portA)).isTrue();
  }

  @Test
  @Order(2)
  void aPortThatCannotBeBoundFailsThatServiceOnlyWithTheReason() throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int free = Tools.freePort();
      cluster.create(server("svc-busy", busy.getLocalPort(), backendPort));
      cluster.create(server("svc-ok", free, backendPort));
      NodeServiceStatus failed = cluster.await("svc-busy", "node-a", "Failed");
      assertThat(failed.getError()).contains(String.valueOf(busy.getLocalPort())).contains("in use");
      cluster.await("svc-ok", "node-a", "Listening");
    }
  }

  @Test
  @Order(3)
  void aClientModeServiceReachesAServerModeServiceOnAnotherAgent() throws Exception {
    cluster.agent("node-b");
    int serverPort = Tools.freePort();
    int clientPort = Tools.freePort();
    cluster.create(ServiceSpec.newBuilder().setName("db").setAccept("127.0.0.1:" + serverPort)
        .addConnect("127.0.0.1:" + backendPort).addNodes("node-b").addAllow("app"));
    cluster.client("app");
    cluster.create(ServiceSpec.newBuilder().setName("db-out").setMode(Mode.MODE_CLIENT).setAccept(String.valueOf(clientPort))
        .setTo("db").setIdentity("app").addNodes("node-a"));
    cluster.await("db", "node-b", "Listening");
    cluster.await("db-out", "node-a", "Listening");
    // Plaintext in on node-a, TLS with app's certificate to node-b, plaintext to the backend.
    try (TlsEcho plain = TlsEcho.plain(clientPort)) {
      assertThat(plain.echo("through two relays")).isEqualTo("through two relays");
    }
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void anAgentRestartedWhileEtcdIsDownServesWhatItServedBefore() throws Exception {
    Cluster.Credential client = cluster.client("client9");
    int port = Tools.freePort();
    cluster.create(server("svc-static", port, backendPort).clearAllow());
    cluster.await("svc-static", "node-a", "Listening");

    cluster.stop(nodeA);
    etcd.stop();
    try {
      nodeA = cluster.agent("node-a");
      Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
        try (TlsEcho e = TlsEcho.tls(port, "svc-static", cluster.trust, client.key(), client.cert())) {
          return e.echo("still here").equals("still here");
        }
      });
    } finally {
      etcd.restart();
    }
  }
}
