package io.adit.agent;

import io.adit.agent.identity.CertStore;
import io.adit.agent.identity.CertificateManager;
import io.adit.agent.identity.ControllerClient;
import io.adit.agent.identity.EtcdLogin;
import io.adit.agent.identity.Material;
import io.adit.agent.identity.NodeIdentity;
import io.adit.agent.metrics.AgentMetrics;
import io.adit.agent.identity.TrustBundle;
import io.adit.agent.status.TrustReport;
import io.adit.agent.watch.TrustWatcher;
import io.adit.common.pki.Pem;
import io.adit.store.v1.TrustBundleRecord;
import io.adit.agent.reconcile.Action;
import io.adit.agent.reconcile.DesiredRelay;
import io.adit.agent.reconcile.DesiredState;
import io.adit.agent.reconcile.Planner;
import io.adit.agent.relay.EventLoopGroups;
import io.adit.agent.tls.Provider;
import io.adit.agent.status.Presence;
import io.adit.agent.status.StatusWriter;
import io.adit.agent.watch.Snapshot;
import io.adit.agent.revocation.RevocationState;
import io.adit.agent.revocation.RevocationWatcher;
import io.adit.agent.watch.SpecWatcher;
import io.adit.agent.watch.Targets;
import io.adit.api.v1.Kind;
import io.adit.api.v1.ServiceSpec;
import io.adit.common.metrics.MetricsHttpServer;
import io.adit.common.store.KeyLayout;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.options.GetOption;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running node agent. Wires the node's identity, etcd, the controllers, certificates and
 * relays, and runs the control loop: every change of the specs in etcd (and a periodic resync)
 * becomes a plan, and the plan is applied, on one thread.
 *
 * <p>Threads: "reconcile" (watch events, planning, starting and stopping relays, status),
 * "certs" (renewals, which call the controller), "presence" (the heartbeat), and the relays'
 * Netty event loops. Only the reconcile thread touches the relays' bookkeeping.
 */
public final class Agent implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Agent.class);

  private final String name;
  private final Client etcd;
  private final ControllerClient controller;
  private final CertificateManager certs;
  private final EventLoopGroups groups;
  private final RelaySupervisor relays;
  private final Presence presence;
  private final SpecWatcher watcher;
  private final RevocationWatcher revocations;
  private final Snapshot snapshot;
  private final Targets targets;
  private final TrustBundle trust;
  private final TrustWatcher trustWatcher;
  private final TrustReport trustReport;
  /** The bundle every relay and the controller channel use (reconcile thread only). */
  private String appliedTrust;
  private final ScheduledExecutorService loop;
  private final ScheduledExecutorService background;
  private final Clock clock;
  private final AgentMetrics metrics;
  private final Optional<MetricsHttpServer> http;
  private volatile boolean reconciled;
  private Map<String, ServiceSpec> specs = Map.of();
  private final Path dataDir;
  private final Optional<EtcdLogin> etcdLogin;

  private Agent(AgentConfig config, NodeIdentity identity, Clock clock, AgentMetrics metrics,
      Optional<MetricsHttpServer> http) throws IOException {
    this.name = identity.name();
    this.clock = clock;
    this.metrics = metrics;
    this.http = http;
    this.trust = TrustBundle.load(config.dataDir(), identity.material().trust());
    this.controller = ControllerClient.connect(config.controllers(), identity.material(), trust.cas());
    this.dataDir = config.dataDir();
    this.etcdLogin = etcdLogin(config.dataDir(), controller);
    ClientBuilder etcdClient = Client.builder()
        .endpoints(identity.etcdEndpoints().stream().map(URI::create).toArray(URI[]::new))
        .connectTimeout(config.etcdTimeout())
        .keepaliveTime(Duration.ofSeconds(10))
        .keepaliveTimeout(Duration.ofSeconds(5))
        .keepaliveWithoutCalls(false); // etcd sends GOAWAY "too_many_pings" for pings on an idle connection
    config.etcdTls().ifPresent(tls -> tls.apply(etcdClient));
    etcdLogin.ifPresent(l -> etcdClient.user(ByteSequence.from(l.user(), StandardCharsets.UTF_8))
        .password(ByteSequence.from(l.password(), StandardCharsets.UTF_8)));
    this.etcd = etcdClient.build();
    this.loop = Executors.newSingleThreadScheduledExecutor(daemon("reconcile"));
    this.background = Executors.newScheduledThreadPool(2, daemon("certs"));
    this.certs = new CertificateManager(controller::sign, new CertStore(config.dataDir()), background, clock);
    AtomicReference<NodeIdentity> current = new AtomicReference<>(identity);
    certs.adopt(new CertificateManager.Subject(Kind.KIND_NODE, name), identity.material(), m -> {
      controller.updateNodeCredential(m);
      try {
        current.set(current.get().withMaterial(config.dataDir(), m));
      } catch (IOException e) {
        log.warn("cannot store the renewed node certificate: {}", e.getMessage());
      }
      // Client-mode relays without an identity present the node's certificate: the renewed one now.
      loop.execute(this::nodeRenewed);
    });
    this.groups = EventLoopGroups.create();
    RevocationState revoked = new RevocationState();
    this.relays = new RelaySupervisor(name, groups, certs, () -> current.get().material(), config.tlsProvider(),
        new StatusWriter(etcd, name, config.etcdTimeout()), clock, revoked, trust::cas, metrics);
    this.revocations = new RevocationWatcher(etcd, config.etcdTimeout(), revoked, config.dataDir(), r -> {
      int closed = relays.disconnectRevoked();
      if (closed > 0) {
        log.info("closed {} connection(s) whose peer certificate is now revoked", closed);
      }
      loop.execute(() -> relays.renewRevoked(r));
    });
    this.presence = new Presence(etcd, name, version(), clock, config.etcdTimeout(), background);
    this.snapshot = new Snapshot(config.dataDir());
    this.targets = new Targets(etcd, config.etcdTimeout());
    this.watcher = new SpecWatcher(etcd, loop, config.etcdTimeout(), this::onSpecs);
    this.appliedTrust = trust.current().fingerprint();
    this.trustReport = new TrustReport(etcd, name, clock, config.etcdTimeout(), background);
    this.trustWatcher = new TrustWatcher(etcd, loop, config.etcdTimeout(), this::onTrust);
  }

  public static Agent start(AgentConfig config, Clock clock) throws IOException {
    // Metrics first: /healthz answers, and /readyz says why not, while the agent joins.
    AgentMetrics metrics = config.metricsListen().isPresent() ? AgentMetrics.prometheus() : AgentMetrics.none();
    AtomicReference<Agent> started = new AtomicReference<>();
    Optional<MetricsHttpServer> http = Optional.empty();
    if (config.metricsListen().isPresent()) {
      http = Optional.of(MetricsHttpServer.start(config.metricsListen().get(), "--metrics-listen",
          metrics.exposition().orElseThrow(), () -> started.get() == null
              ? Optional.of("not ready: the agent is joining the cluster") : started.get().notReady()));
      log.info("serving /metrics, /healthz and /readyz on port {}", http.get().port());
    }
    Provider.log(config.tlsProvider());
    Agent agent;
    NodeIdentity identity;
    try {
      identity = NodeIdentity.establish(config.dataDir(), config.name(), config.controllers(),
          config.joinToken(), config.advertiseAddress(), config.etcdEndpoints(), clock);
      if (identity.etcdEndpoints().isEmpty()) {
        throw new NodeIdentity.JoinException("no etcd endpoints are known for this node: give --etcd URL");
      }
      agent = new Agent(config, identity, clock, metrics, http);
    } catch (IOException | RuntimeException e) {
      http.ifPresent(MetricsHttpServer::close);
      throw e;
    }
    started.set(agent);
    log.info("agent {} starting: controllers {}, etcd {}, TLS by {}, {} transport", agent.name, config.controllers(),
        identity.etcdEndpoints(), config.tlsProvider(), agent.groups.transport());
    // Static stability: serve what was served before, even if etcd does not answer now.
    agent.snapshot.load().ifPresent(saved -> agent.loop.execute(() -> {
      log.info("serving the {} service(s) known before the restart until etcd answers", saved.size());
      agent.reconcile(saved, false);
    }));
    agent.checkEtcdAccess(config.etcdTimeout());
    agent.revocations.start(config.resync());
    agent.trustWatcher.start(config.resync());
    agent.watcher.start(config.resync());
    agent.loop.scheduleWithFixedDelay(agent::resync, config.resync().toMillis(), config.resync().toMillis(), TimeUnit.MILLISECONDS);
    agent.loop.scheduleWithFixedDelay(agent.relays::reportAll, 5, 5, TimeUnit.SECONDS);
    agent.presence.start();
    return agent;
  }

  /**
   * The stored etcd login, else a new one from the controller (after a join, or when etcd's
   * authentication was enabled since); none when the controller manages no etcd users or does
   * not answer now (the next start asks again).
   */
  private static Optional<EtcdLogin> etcdLogin(Path dataDir, ControllerClient controller) throws IOException {
    Optional<EtcdLogin> stored = EtcdLogin.read(dataDir);
    if (stored.isPresent()) {
      return stored;
    }
    try {
      Optional<EtcdLogin> login = controller.etcdLogin();
      if (login.isPresent()) {
        login.get().write(dataDir);
        log.info("logging in to etcd as {}, this node's own etcd user (stored in {})", login.get().user(),
            dataDir.resolve(EtcdLogin.FILE));
      }
      return login;
    } catch (StatusRuntimeException e) {
      log.warn("could not ask the controller for this node's etcd user ({}); using etcd without one",
          ControllerClient.reason(e));
      return Optional.empty();
    }
  }

  /** Tells in one sentence, asynchronously, when etcd refuses this agent's login or permissions. */
  private void checkEtcdAccess(Duration timeout) {
    etcd.getKVClient().get(ByteSequence.from(KeyLayout.SERVICES, StandardCharsets.UTF_8),
            GetOption.builder().isPrefix(true).withKeysOnly(true).withLimit(1).build())
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((r, e) -> {
          for (Throwable c = e; c != null; c = c.getCause()) {
            Optional<String> why = EtcdLogin.explain(c.getMessage(), etcdLogin, dataDir);
            if (why.isPresent()) {
              log.error(why.get());
              return;
            }
          }
        });
  }

  private void onSpecs(Map<String, ServiceSpec> services) {
    long seen = watcher.seenNanos();
    snapshot.save(services);
    if (reconcile(services, false)) {
      metrics.reconciled(clock.instant(), Optional.of(Duration.ofNanos(System.nanoTime() - seen)));
    }
  }

  /**
   * A trust bundle from etcd (reconcile thread): a new one goes to every relay (for new
   * connections; live ones keep theirs) and to the controller channel, and only then is it
   * reported as held, since a CA rotation lets the new CA sign once every node reports it.
   */
  private void nodeRenewed() {
    if (relays != null) { // a renewal while the agent is still being built
      relays.nodeRenewed();
    }
  }

  private void onTrust(TrustBundleRecord record) {
    try {
      List<java.security.cert.X509Certificate> cas = Pem.certificates(record.getPem());
      trust.set(cas);
      String fingerprint = trust.current().fingerprint();
      if (!fingerprint.equals(appliedTrust)) {
        boolean everyRelay = relays.retrustAll();
        controller.updateTrust(cas);
        if (!everyRelay) {
          // Not reported: the controller would activate a CA that a relay here still refuses.
          log.warn("trust bundle version {} is not applied to every relay yet: retrying at the next resync",
              record.getVersion());
          return;
        }
        appliedTrust = fingerprint;
        log.info("now trusting the cluster's {} CA(s) of trust bundle version {} for new connections", cas.size(),
            record.getVersion());
      }
      trustReport.report(fingerprint);
    } catch (RuntimeException e) {
      log.warn("cannot apply the trust bundle from etcd ({}); keeping the current one", e.getMessage());
    }
  }


  private void resync() {
    reconcile(specs, true);
  }

  /** Plans and applies; whether it went through (a failure is logged and retried later). */
  private boolean reconcile(Map<String, ServiceSpec> services, boolean retryFailed) {
    specs = services;
    try {
      Map<String, DesiredRelay> desired = DesiredState.forNode(name, services.values(), s -> targets.resolve(s, services));
      List<Action> plan = Planner.plan(desired, relays.observed(), retryFailed);
      plan.forEach(relays::apply);
      reconciled = true;
      metrics.reconciled(clock.instant(), Optional.empty());
      return true;
    } catch (Exception e) {
      log.error("reconcile failed; the next change or resync tries again", e);
      return false;
    }
  }

  /** Why the agent is not ready to serve (for /readyz), or empty when it is. */
  Optional<String> notReady() {
    return reconciled ? Optional.empty()
        : Optional.of("not ready: the services have not been reconciled yet (waiting for etcd)");
  }

  /** The port of /metrics, with {@code --metrics-listen}. */
  public Optional<Integer> metricsPort() {
    return http.map(MetricsHttpServer::port);
  }

  public String name() {
    return name;
  }

  static String version() {
    String v = Agent.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public void close() {
    http.ifPresent(MetricsHttpServer::close);
    watcher.close();
    trustWatcher.close();
    revocations.close();
    try {
      loop.submit(relays::close).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("closing the relays: {}", e.getMessage());
    }
    loop.shutdownNow();
    presence.close();
    background.shutdownNow();
    certs.close();
    controller.close();
    groups.close();
    etcd.close();
  }
}
