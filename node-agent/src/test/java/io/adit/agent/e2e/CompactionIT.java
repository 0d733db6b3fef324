package io.adit.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.adit.agent.Agent;
import io.adit.agent.AgentConfig;
import io.adit.agent.watch.SpecWatcher;
import io.adit.api.v1.DeleteServiceRequest;
import io.adit.api.v1.ServiceSpec;
import io.adit.common.validation.HostPort;
import io.adit.testing.EtcdExtension;
import io.adit.testing.Tools;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.CompactOption;
import io.etcd.jetcd.options.GetOption;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
import org.slf4j.LoggerFactory;

/**
 * The agent's spec watch across etcd compaction. The agent reaches etcd and the controller
 * through proxies the test controls, and its periodic resync is set to ten minutes, so that only
 * the watch (and the list it falls back to) can bring a change in time.
 *
 * <p>How the agent could ever ask for compacted history: it lists at revision R, applies the list
 * (starting relays, which may ask the controller for certificates) and only then watches from
 * R + 1. If etcd compacts past R + 1 in between, the watch is refused as compacted and the agent
 * must list again. The test holds the agent in that gap by holding its certificate request at the
 * controller proxy.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CompactionIT {
  @RegisterExtension
  static final EtcdExtension etcd = new EtcdExtension();

  @TempDir
  static Path dir;

  static Cluster cluster;
  static Client kv;
  static Proxy etcdProxy;
  static Proxy controllerProxy;
  static Tools.Background backend;
  static int backendPort;
  static Cluster.Credential client;
  static Agent agent;

  @BeforeAll
  static void start() throws Exception {
    backendPort = Tools.freePort();
    backend = Cluster.socatEcho(backendPort);
    kv = Client.builder().endpoints(etcd.endpoints().toArray(String[]::new)).build();
    cluster = new Cluster(etcd.endpoints(), dir, null);
    HostPort etcdAddress = HostPort.parse("etcd", etcd.endpoints().get(0).replaceFirst("^https?://", ""), true);
    etcdProxy = new Proxy(new InetSocketAddress(etcdAddress.host(), etcdAddress.port()));
    controllerProxy = new Proxy(new InetSocketAddress("127.0.0.1", cluster.controller.port()));
    client = cluster.client("client1");
    agent = startAgent();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
    for (AutoCloseable c : new AutoCloseable[] {etcdProxy, controllerProxy, kv, backend}) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception e) {
          // closing the rest anyway
        }
      }
    }
  }

  static Agent startAgent() throws Exception {
    return cluster.agent("node-c", c -> new AgentConfig(List.of(new HostPort("127.0.0.1", controllerProxy.port())),
        c.joinToken(), c.name(), c.dataDir(), List.of("http://127.0.0.1:" + etcdProxy.port()), c.advertiseAddress(),
        c.tlsProvider(), c.etcdTimeout(), Duration.ofMinutes(10), c.etcdTls(), c.metricsListen()));
  }

  @Test
  @Order(1)
  void aLiveWatchFollowsChangesMadeAroundACompaction() throws Exception {
    int port = create("steady");
    assertServes("steady", port);
    int churnPort = Tools.freePort();
    for (int i = 0; i < 5; i++) {
      cluster.create(server("churn", churnPort));
      delete("churn");
    }
    compactNow();

    int after = create("after-compaction");
    assertServes("after-compaction", after);
    assertServes("steady", port);
    assertThat(Tools.listening(churnPort)).as("deleted service churn").isFalse();
  }

  @Test
  @Order(2)
  void anAgentRestartedAfterACompactionServesTheChangesMadeWhileItWasDown() throws Exception {
    int gonePort = create("gone-while-down");
    assertServes("gone-while-down", gonePort);
    cluster.stop(agent);

    delete("gone-while-down");
    int newPort = create("new-while-down");
    compactNow();
    // Its snapshot (state/services.pb) still lists gone-while-down; etcd no longer does.
    agent = startAgent();

    assertServes("new-while-down", newPort);
    Awaitility.await("gone-while-down no longer listening").atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100)).until(() -> !Tools.listening(gonePort));
  }

  @Test
  @Order(3)
  void aWatchStartedBelowTheCompactedRevisionListsAgainAndServesWhatItMissed() throws Exception {
    ListAppender<ILoggingEvent> log = capture();
    try {
      controllerProxy.pause();
      // The agent's watch breaks; it lists again, retrying until etcd answers.
      etcdProxy.cut();
      int missedPort = create("missed");
      etcdProxy.open();
      // The list shows "missed"; starting it, the agent asks the controller for its certificate
      // and waits, before it watches again from the list's revision + 1.
      Awaitility.await("the agent's certificate request at the held controller").atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50)).until(() -> controllerProxy.heldBytes() > 200);

      // Meanwhile etcd moves on and forgets the history that watch will ask for.
      int laterPort = create("later");
      cluster.create(server("throwaway", Tools.freePort()));
      delete("throwaway");
      compactNow();
      controllerProxy.resume();

      // Well within the ten-minute resync: only listing again after the compacted watch brings "later".
      assertServes("later", laterPort);
      assertServes("missed", missedPort);
      assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage)
          .anyMatch(m -> m.contains("etcd compacted the watched history") && m.contains("listing again"));
    } finally {
      controllerProxy.resume();
      etcdProxy.open();
      release(log);
    }
  }

  // ---- services -----------------------------------------------------------------------------

  static ServiceSpec.Builder server(String name, int port) {
    return ServiceSpec.newBuilder().setName(name).setAccept("127.0.0.1:" + port).addConnect("127.0.0.1:" + backendPort)
        .addNodes("node-c");
  }

  static int create(String name) {
    int port = Tools.freePort();
    cluster.create(server(name, port));
    return port;
  }

  static void delete(String name) {
    cluster.tunnels().deleteService(DeleteServiceRequest.newBuilder().setName(name).build());
  }

  static boolean serves(String name, int port) throws Exception {
    try (TlsEcho e = TlsEcho.tls(port, name, cluster.trust, client.key(), client.cert())) {
      return e.echo("via " + name).equals("via " + name);
    }
  }

  /** Waits (at most 20 s) until the service echoes through the agent. */
  static void assertServes(String name, int port) {
    Awaitility.await(name + " echoing on port " + port).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
        .ignoreExceptions().until(() -> serves(name, port));
  }

  // ---- etcd ---------------------------------------------------------------------------------

  static long currentRevision() throws Exception {
    return kv.getKVClient().get(ByteSequence.from("/", StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS)
        .getHeader().getRevision();
  }

  /** Compacts etcd's history up to now; returns the compacted revision, checked to be gone. */
  static long compactNow() throws Exception {
    long revision = currentRevision();
    kv.getKVClient().compact(revision, CompactOption.newBuilder().withCompactPhysical(true).build())
        .get(10, TimeUnit.SECONDS);
    assertThatThrownBy(() -> kv.getKVClient().get(ByteSequence.from("/", StandardCharsets.UTF_8),
        GetOption.builder().withRevision(revision - 1).build()).get(10, TimeUnit.SECONDS))
        .hasMessageContaining("compacted");
    return revision;
  }

  // ---- logs ---------------------------------------------------------------------------------

  static ListAppender<ILoggingEvent> capture() {
    assertThat(LoggerFactory.getLogger(SpecWatcher.class)).as("logback is the SLF4J backend").isInstanceOf(Logger.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    ((Logger) LoggerFactory.getLogger(SpecWatcher.class)).addAppender(appender);
    return appender;
  }

  static void release(ListAppender<ILoggingEvent> appender) {
    ((Logger) LoggerFactory.getLogger(SpecWatcher.class)).detachAppender(appender);
    appender.stop();
  }

  // ---- proxy --------------------------------------------------------------------------------

  /**
   * A TCP proxy on a fixed loopback port that can be cut (every connection closed, nothing
   * listening) and opened again, or paused: bytes from the agent are read but held until resumed.
   */
  static final class Proxy implements AutoCloseable {
    private final InetSocketAddress target;
    private final int port;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "test-proxy");
      t.setDaemon(true);
      return t;
    });
    private final AtomicLong held = new AtomicLong();
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private ServerSocket server;

    Proxy(InetSocketAddress target) throws IOException {
      this.target = target;
      this.port = Tools.freePort();
      open();
    }

    int port() {
      return port;
    }

    /** Listens again (a no-op when listening). */
    synchronized void open() throws IOException {
      if (server != null) {
        return;
      }
      ServerSocket s = new ServerSocket();
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      server = s;
      threads.execute(() -> accept(s));
    }

    /** Stops listening and closes every connection. */
    synchronized void cut() {
      if (server != null) {
        closeQuietly(server);
        server = null;
      }
      sockets.forEach(Proxy::closeQuietly);
      sockets.clear();
    }

    /** Holds whatever the agent sends from now on, counting it. */
    void pause() {
      held.set(0);
      gate = new CountDownLatch(1);
    }

    void resume() {
      gate.countDown();
    }

    /** Bytes from the agent read while paused. */
    long heldBytes() {
      return held.get();
    }

    private void accept(ServerSocket s) {
      while (!s.isClosed()) {
        Socket in;
        try {
          in = s.accept();
        } catch (IOException closed) {
          return; // cut()
        }
        Socket out = new Socket();
        sockets.add(in);
        sockets.add(out);
        try {
          out.connect(target, 5000);
        } catch (IOException refused) {
          closeQuietly(in);
          closeQuietly(out);
          continue;
        }
        threads.execute(() -> pump(in, out, true));
        threads.execute(() -> pump(out, in, false));
      }
    }

    private void pump(Socket from, Socket to, boolean fromAgent) {
      byte[] buf = new byte[16 * 1024];
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        for (int n = in.read(buf); n != -1; n = in.read(buf)) {
          CountDownLatch g = gate;
          if (g.getCount() > 0 && fromAgent) {
            held.addAndGet(n);
          }
          g.await();
          out.write(buf, 0, n);
          out.flush();
        }
        to.shutdownOutput();
      } catch (IOException | InterruptedException e) {
        closeQuietly(from);
        closeQuietly(to);
      }
    }

    private static void closeQuietly(AutoCloseable c) {
      try {
        c.close();
      } catch (Exception ignored) {
        // closing anyway
      }
    }

    @Override
    public void close() {
      resume();
      cut();
      threads.shutdownNow();
      try {
        threads.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
