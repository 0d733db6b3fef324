package io.adit.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adit.agent.Agent;
import io.adit.agent.identity.EtcdLogin;
import io.adit.api.v1.CertificateServiceGrpc;
import io.adit.api.v1.DeleteNodeRequest;
import io.adit.api.v1.DeleteServiceRequest;
import io.adit.api.v1.ListNodesRequest;
import io.adit.api.v1.Node;
import io.adit.api.v1.NodeServiceGrpc;
import io.adit.api.v1.RevokeCertificateRequest;
import io.adit.api.v1.ServiceSpec;
import io.adit.api.v1.Verify;
import io.adit.common.pki.Keys;
import io.adit.common.store.KeyLayout;
import io.adit.controller.Controller;
import io.adit.controller.ControllerConfig;
import io.adit.controller.errors.FailedPreconditionException;
import io.adit.controller.store.etcd.EtcdAuth;
import io.adit.common.validation.HostPort;
import io.adit.testing.EtcdExtension;
import io.adit.testing.Tools;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.auth.Permission;
import io.etcd.jetcd.options.GetOption;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd with authentication enabled: the controller logs in as root and gives each node an etcd
 * user of its own. Two agents run their services with theirs; node A's user may read the specs
 * and write its own status, and etcd denies it everything else that matters: changing a spec,
 * deleting a revocation, writing node B's status or its own registration, reading the sealed CA
 * key or the join tokens. Deleting node A removes its etcd user.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class EtcdAuthIT {
  @RegisterExtension
  static final EtcdExtension etcd = new EtcdExtension();

  @TempDir
  static Path dir;

  static final String ROOT_PASSWORD = "root-" + Long.toHexString(new java.security.SecureRandom().nextLong());
  static Cluster cluster;
  static Tools.Background backend;
  static int backendPort;

  @BeforeAll
  static void start() throws Exception {
    try (Client root = Client.builder().endpoints(URI.create(etcd.endpoints().get(0))).build()) {
      var auth = root.getAuthClient();
      await(auth.roleAdd(bytes("root")));
      await(auth.userAdd(bytes("root"), bytes(ROOT_PASSWORD)));
      await(auth.userGrantRole(bytes("root"), bytes("root")));
      // A user that may read and write Adit's keys but not manage users: not enough for a controller.
      await(auth.roleAdd(bytes("adit-data")));
      await(auth.roleGrantPermission(bytes("adit-data"), bytes(KeyLayout.ROOT), bytes(KeyLayout.rangeEnd(KeyLayout.ROOT)),
          Permission.Type.READWRITE));
      await(auth.userAdd(bytes("not-root"), bytes("not-root-password")));
      await(auth.userGrantRole(bytes("not-root"), bytes("adit-data")));
      await(auth.authEnable());
    }
    backendPort = Tools.freePort();
    backend = Cluster.socatEcho(backendPort);
    cluster = new Cluster(etcd.endpoints(), dir, null, c -> c.withEtcdAuth(new EtcdAuth("root", ROOT_PASSWORD)));
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

  @Test
  void eachNodeGetsItsOwnEtcdUserThatMayWriteOnlyItsOwnRecords() throws Exception {
    Agent a = cluster.agent("node-a");
    cluster.agent("node-b");
    int portA = Tools.freePort();
    int portB = Tools.freePort();
    cluster.create(ServiceSpec.newBuilder().setName("on-a").setAccept("127.0.0.1:" + portA)
        .addConnect("127.0.0.1:" + backendPort).addNodes("node-a").setVerify(Verify.VERIFY_NONE));
    cluster.create(ServiceSpec.newBuilder().setName("on-b").setAccept("127.0.0.1:" + portB)
        .addConnect("127.0.0.1:" + backendPort).addNodes("node-b").setVerify(Verify.VERIFY_NONE));
    // Each agent read its spec, ran its relay and wrote its status with its own etcd user...
    cluster.await("on-a", "node-a", "Listening");
    cluster.await("on-b", "node-b", "Listening");
    try (TlsEcho c = TlsEcho.tls(portA, "on-a", cluster.trust, null, null)) {
      assertThat(c.echo("through node-a")).isEqualTo("through node-a");
    }
    // ...and keeps its presence lease.
    Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(nodes())
        .filteredOn(Node::getReady).extracting(Node::getName).contains("node-a", "node-b"));

    Path file = dir.resolve("agent-node-a").resolve(EtcdLogin.FILE);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    EtcdLogin loginA = EtcdLogin.read(file.getParent()).orElseThrow();
    assertThat(loginA.user()).isEqualTo("adit-node-node-a");

    String revokedKey = KeyLayout.revoked(revokeSomeCertificate());
    try (Client asA = client(loginA)) {
      var kv = asA.getKVClient();
      // What node A needs: the specs, and its own status.
      assertThat(await(kv.get(bytes(KeyLayout.service("on-a")))).getKvs()).hasSize(1);
      assertThat(await(kv.get(bytes(revokedKey))).getKvs()).hasSize(1);
      assertThat(await(kv.get(bytes(KeyLayout.TRUST_BUNDLE))).getKvs()).hasSize(1);
      // The agent, logged in as its own user, reported the trust bundle it holds (CA rotation waits for it).
      Awaitility.await().atMost(Duration.ofSeconds(20))
          .until(() -> !await(kv.get(bytes(KeyLayout.nodeTrust("node-a")))).getKvs().isEmpty());
      await(kv.put(bytes(KeyLayout.nodeStatus("node-a", "probe")), bytes("x")));
      await(kv.delete(bytes(KeyLayout.nodeStatus("node-a", "probe"))));

      // Everything else etcd denies.
      assertDenied(kv.put(bytes(KeyLayout.service("on-a")), bytes("tampered")));
      assertDenied(kv.put(bytes(KeyLayout.service("new-one")), bytes("tampered")));
      assertDenied(kv.delete(bytes(revokedKey)));
      assertDenied(kv.put(bytes(KeyLayout.nodeStatus("node-b", "on-b")), bytes("tampered")));
      assertDenied(kv.put(bytes(KeyLayout.nodeInfo("node-a")), bytes("tampered")));
      assertDenied(kv.put(bytes(KeyLayout.nodeTrust("node-b")), bytes("tampered")));
      assertDenied(kv.put(bytes(KeyLayout.TRUST_BUNDLE), bytes("tampered")));
      assertDenied(kv.get(bytes(KeyLayout.CA_AUTHORITIES), GetOption.builder().isPrefix(true).build()));
      assertDenied(kv.get(bytes(KeyLayout.TOKENS), GetOption.builder().isPrefix(true).build()));
      assertDenied(kv.get(bytes(KeyLayout.ROOT), GetOption.builder().isPrefix(true).build()));
    }
    assertThat(cluster.status("on-b", "node-b").orElseThrow().getState()).isEqualTo("Listening");

    // Deleting node A removes its etcd user: its password no longer logs in.
    cluster.stop(a);
    cluster.tunnels().deleteService(DeleteServiceRequest.newBuilder().setName("on-a").build());
    NodeServiceGrpc.newBlockingStub(cluster.admin).withDeadlineAfter(20, TimeUnit.SECONDS)
        .deleteNode(DeleteNodeRequest.newBuilder().setName("node-a").build());
    try (Client asA = client(loginA)) {
      Throwable refused = failure(asA.getKVClient().get(bytes(KeyLayout.service("on-b"))));
      assertThat(rootMessage(refused)).contains("authentication failed");
      assertThat(EtcdLogin.explain(rootMessage(refused), Optional.of(loginA), file.getParent()).orElseThrow())
          .startsWith("etcd refused this node's etcd user adit-node-node-a");
    }
    // Node B is untouched.
    cluster.await("on-b", "node-b", "Listening");
  }

  @Test
  void aStartingControllerGivesAnOlderNodeRoleTodaysPermissionsAndKeepsItsPassword() throws Exception {
    cluster.agent("node-c");
    Path dataDir = dir.resolve("agent-node-c");
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> EtcdLogin.read(dataDir).isPresent());
    EtcdLogin login = EtcdLogin.read(dataDir).orElseThrow();
    ByteSequence role = bytes("adit-node-node-c");
    // A role as an earlier version made it: without the trust bundle a CA rotation needs.
    try (Client root = rootClient()) {
      await(root.getAuthClient().roleRevokePermission(role, bytes(KeyLayout.TRUST), bytes(KeyLayout.rangeEnd(KeyLayout.TRUST))));
    }
    try (Client asC = client(login)) {
      assertDenied(asC.getKVClient().get(bytes(KeyLayout.TRUST_BUNDLE)));
    }

    // A second controller starts (as after an upgrade) and brings the role up to date.
    ControllerConfig config = ControllerConfig.of(etcd.endpoints(), new HostPort("127.0.0.1", 0), dir.resolve("ctl"))
        .withEtcdAuth(new EtcdAuth("root", ROOT_PASSWORD));
    Controller.start(config).close();

    try (Client asC = client(login)) {
      assertThat(await(asC.getKVClient().get(bytes(KeyLayout.TRUST_BUNDLE))).getKvs()).hasSize(1);
    }
  }

  static Client rootClient() {
    return Client.builder().endpoints(URI.create(etcd.endpoints().get(0)))
        .user(bytes("root")).password(bytes(ROOT_PASSWORD)).build();
  }

  @Test
  void aControllerThatMayNotManageEtcdUsersSaysSoAtStart() {
    // The cluster's data dir: it holds the key that unseals the CA, so the start gets as far as etcd's users.
    ControllerConfig config = ControllerConfig.of(etcd.endpoints(), new HostPort("127.0.0.1", 0), dir.resolve("ctl"));
    assertThatThrownBy(() -> Controller.start(config.withEtcdAuth(new EtcdAuth("not-root", "not-root-password"))).close())
        .isInstanceOf(FailedPreconditionException.class)
        .hasMessageContaining("etcd user not-root does not have the root role")
        .hasMessageContaining("etcdctl user grant-role not-root root");
    assertThatThrownBy(() -> Controller.start(config).close())
        .isInstanceOf(FailedPreconditionException.class)
        .hasMessageContaining("has authentication enabled and the controller logs in as nobody")
        .hasMessageContaining("--etcd-user");
    assertThatThrownBy(() -> Controller.start(config.withEtcdAuth(new EtcdAuth("root", "wrong"))).close())
        .isInstanceOf(FailedPreconditionException.class)
        .hasMessageContaining("refused the controller's etcd user or password");
  }

  static List<Node> nodes() {
    return NodeServiceGrpc.newBlockingStub(cluster.admin).withDeadlineAfter(10, TimeUnit.SECONDS)
        .listNodes(ListNodesRequest.getDefaultInstance()).getNodesList();
  }

  /** Issues a client certificate and revokes it: a record under revoked/ that agents watch. */
  static String revokeSomeCertificate() throws Exception {
    Cluster.Credential c = cluster.client("laptop");
    String serial = Keys.serialHex(c.cert());
    CertificateServiceGrpc.newBlockingStub(cluster.admin).withDeadlineAfter(10, TimeUnit.SECONDS)
        .revokeCertificate(RevokeCertificateRequest.newBuilder().setSerial(serial).setReason("test").build());
    return serial;
  }

  static Client client(EtcdLogin login) {
    return Client.builder().endpoints(URI.create(etcd.endpoints().get(0)))
        .user(bytes(login.user())).password(bytes(login.password()))
        .waitForReady(false).retryMaxDuration(Duration.ofSeconds(2)).build();
  }

  static void assertDenied(CompletableFuture<?> call) {
    assertThat(failure(call)).hasMessageContaining("permission denied");
  }

  static Throwable failure(CompletableFuture<?> call) {
    try {
      call.get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError("etcd did not answer: " + e, e);
    }
    throw new AssertionError("etcd allowed it");
  }

  static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c.getMessage();
  }

  static <T> T await(CompletableFuture<T> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }
}
