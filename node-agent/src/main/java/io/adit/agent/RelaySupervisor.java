package io.adit.agent;

import io.adit.agent.identity.CertificateManager;
import io.adit.agent.identity.CertificateNames;
import io.adit.agent.identity.CertificateManager.Subject;
import io.adit.agent.identity.Material;
import io.adit.agent.metrics.AgentMetrics;
import io.adit.agent.metrics.ServiceMeters;
import io.adit.agent.reconcile.Action;
import io.adit.agent.reconcile.DesiredRelay;
import io.adit.agent.reconcile.ObservedRelay;
import io.adit.agent.relay.EventLoopGroups;
import io.adit.agent.relay.Relay;
import io.adit.agent.relay.RelayBindException;
import io.adit.agent.relay.RelayListener;
import io.adit.agent.relay.RelaySpec;
import io.adit.agent.relay.RelayStats;
import io.adit.agent.status.StatusWriter;
import io.adit.agent.tls.Provider;
import io.adit.agent.tls.ReloadableTls;
import io.adit.agent.tls.RevocationCheck;
import io.adit.agent.tls.TlsChoices;
import io.adit.agent.tls.TlsContexts;
import io.adit.agent.tls.Verify;
import io.adit.api.v1.Kind;
import io.adit.api.v1.Mode;
import io.adit.api.v1.NodeServiceStatus;
import io.adit.api.v1.ServiceSpec;
import io.adit.common.pki.Keys;
import io.adit.common.pki.Pem;
import io.adit.common.proto.Timestamps;
import io.adit.common.validation.HostPort;
import io.netty.handler.ssl.SslContext;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the planner's actions with real relays: gets the certificates a relay needs,
 * starts it, drains the old one on a change or delete, and reports each service's state to
 * etcd. Runs on the agent's single reconcile thread only.
 */
final class RelaySupervisor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RelaySupervisor.class);
  static final Duration DRAIN_GRACE = Duration.ofSeconds(30);

  /** A relay this node runs (or tried to), with what it holds. */
  private final class Running {
    final DesiredRelay config;
    final Relay relay; // null when failed
    final String error;
    final Subject subject;
    final Consumer<Material> subscriber;
    final AtomicReference<String> lastFailure = new AtomicReference<>("");
    final AtomicReference<Material> material = new AtomicReference<>();
    /** Rebuilds the relay's TLS context from the current material and trust bundle; null when failed. */
    Runnable retrust;
    /** For a client-mode relay that presents the node's own certificate: takes the renewed one. */
    Runnable onNodeRenewal;

    Running(DesiredRelay config, Relay relay, String error, Subject subject, Consumer<Material> subscriber) {
      this.config = config;
      this.relay = relay;
      this.error = error;
      this.subject = subject;
      this.subscriber = subscriber;
    }
  }

  private final String node;
  private final EventLoopGroups groups;
  private final CertificateManager certs;
  private final Supplier<Material> nodeMaterial;
  private final Provider provider;
  private final StatusWriter status;
  private final Clock clock;
  private final Map<String, Running> running = new HashMap<>();
  /** Every relay still holding connections, draining ones included; safe from any thread. */
  private final Set<Relay> live = ConcurrentHashMap.newKeySet();
  private final RevocationCheck revocations;
  private final AgentMetrics metrics;
  private final Supplier<List<X509Certificate>> trust;

  /** @param trust the cluster's CA certificates now (they change during a CA rotation) */
  RelaySupervisor(String node, EventLoopGroups groups, CertificateManager certs, Supplier<Material> nodeMaterial,
      Provider provider, StatusWriter status, Clock clock, RevocationCheck revocations,
      Supplier<List<X509Certificate>> trust, AgentMetrics metrics) {
    this.revocations = revocations;
    this.trust = trust;
    this.metrics = metrics;
    this.node = node;
    this.groups = groups;
    this.certs = certs;
    this.nodeMaterial = nodeMaterial;
    this.provider = provider;
    this.status = status;
    this.clock = clock;
  }

  Map<String, ObservedRelay> observed() {
    Map<String, ObservedRelay> out = new HashMap<>();
    running.forEach((name, r) -> out.put(name, r.relay == null ? ObservedRelay.failed(r.config, r.error)
        : ObservedRelay.running(r.config)));
    return out;
  }

  void apply(Action action) {
    log.info("service {}: {} ({})", action.service(), verb(action), action.reason());
    Running old = running.remove(action.service());
    if (old != null && old.relay != null) {
      // Free the port first (the old relay stops accepting and drains in the background)...
      Relay draining = old.relay;
      ServiceMeters meters = metrics.service(action.service());
      draining.drain(DRAIN_GRACE).whenComplete((done, error) -> {
        live.remove(draining);
        meters.retire(draining);
      });
    }
    if (action instanceof Action.Start s) {
      start(s.relay());
    } else if (action instanceof Action.Restart r) {
      start(r.relay());
    } else {
      status.delete(action.service());
      metrics.remove(action.service());
    }
    if (old != null && old.subject != null) {
      // ...and release its certificate last, so a restart keeps the certificate it holds.
      certs.release(old.subject, old.subscriber);
    }
  }

  private static String verb(Action a) {
    return a instanceof Action.Start ? "starting" : a instanceof Action.Restart ? "restarting" : "stopping";
  }

  private void start(DesiredRelay desired) {
    ServiceSpec spec = desired.spec();
    boolean client = spec.getMode() == Mode.MODE_CLIENT;
    Subject subject = client
        ? (spec.getIdentity().isEmpty() ? null : new Subject(Kind.KIND_CLIENT, spec.getIdentity()))
        : new Subject(Kind.KIND_SERVICE, spec.getName());
    RelaySpec relaySpec;
    List<X509Certificate> foreignTrust;
    try {
      relaySpec = relaySpec(desired);
      foreignTrust = spec.getTrustCaPem().isEmpty() ? List.of() : Pem.certificates(spec.getTrustCaPem());
    } catch (RuntimeException e) {
      failed(desired, null, null, e.getMessage());
      return;
    }
    ServiceMeters meters = metrics.service(spec.getName());
    AtomicReference<ReloadableTls> tls = new AtomicReference<>();
    AtomicReference<Running> self = new AtomicReference<>();
    Object lock = new Object(); // a renewal (certs thread) and a new trust bundle (reconcile thread) never interleave
    // A renewal that lands while the relay is still starting: taken up when it registers below.
    AtomicReference<Material> renewedEarly = new AtomicReference<>();
    Consumer<Material> subscriber = m -> {
      ReloadableTls t;
      synchronized (lock) {
        t = tls.get();
        Running r = self.get();
        if (r == null) {
          renewedEarly.set(m);
        } else {
          r.material.set(m);
          t.update(context(relaySpec, m, foreignTrust));
        }
      }
      if (t != null) {
        meters.certificate(m.certificate().getNotAfter().toInstant());
        log.info("service {}: serving the renewed certificate {} (until {}) to new connections", spec.getName(),
            Keys.serialHex(m.certificate()), m.certificate().getNotAfter().toInstant());
      }
    };
    Material material;
    try {
      if (subject == null) {
        // No identity: towards an Adit service the node's own certificate; towards a server
        // trusted through --trust-ca, none (this node's identity is nobody else's business).
        material = foreignTrust.isEmpty() ? nodeMaterial.get() : null;
      } else {
        material = certs.acquire(subject, subscriber,
            c -> CertificateNames.covers(c, spec.getDnsNamesList(), spec.getIpAddressesList()));
      }
    } catch (CertificateManager.UnavailableException e) {
      failed(desired, null, null, e.getMessage());
      return;
    }
    SslContext first;
    try {
      first = context(relaySpec, material, foreignTrust);
    } catch (IllegalArgumentException e) {
      // e.g. curves with the JDK provider: the service's TLS settings cannot be honoured here.
      failed(desired, subject, subscriber, e.getMessage());
      return;
    }
    try {
      tls.set(new ReloadableTls(first, foreignTrust.isEmpty() ? revocations : RevocationCheck.NONE));
      Running[] holder = new Running[1];
      RelayListener listener = new RelayListener() {
        @Override
        public void onFailure(String reason) {
          if (holder[0] != null) {
            holder[0].lastFailure.set(reason);
          }
        }
      };
      Relay relay = Relay.start(relaySpec, tls.get(), groups, meters.around(listener));
      live.add(relay);
      meters.attach(relay);
      if (material != null) {
        meters.certificate(material.certificate().getNotAfter().toInstant());
      }
      Running r = new Running(desired, relay, "", subject, subscriber);
      holder[0] = r;
      r.material.set(material);
      r.retrust = () -> {
        synchronized (lock) {
          tls.get().update(context(relaySpec, r.material.get(), foreignTrust));
        }
      };
      if (subject == null && material != null) {
        r.onNodeRenewal = () -> {
          synchronized (lock) {
            r.material.set(nodeMaterial.get());
            tls.get().update(context(relaySpec, r.material.get(), foreignTrust));
          }
        };
      }
      synchronized (lock) {
        Material early = renewedEarly.get();
        if (early != null) {
          r.material.set(early);
          tls.get().update(context(relaySpec, early, foreignTrust));
        }
        self.set(r);
      }
      running.put(spec.getName(), r);
      log.info("service {}: listening on {} ({} mode, {})", spec.getName(), relay.localAddress(),
          client ? "client" : "server", material == null ? "no client certificate"
              : "certificate " + Keys.serialHex(material.certificate()) + " until " + material.certificate().getNotAfter().toInstant());
      report(r);
    } catch (RelayBindException e) {
      failed(desired, subject, subscriber, e.getMessage());
    } catch (Exception e) {
      // Netty can throw checked I/O errors it does not declare; they fail this service only.
      failed(desired, subject, subscriber, "cannot serve on " + spec.getAccept() + ": " + e.getMessage());
    }
  }

  private void failed(DesiredRelay desired, Subject subject, Consumer<Material> subscriber, String reason) {
    log.warn("service {} is not served on this node: {}", desired.service(), reason);
    if (subject != null) {
      certs.release(subject, subscriber);
    }
    Running r = new Running(desired, null, reason, null, null);
    running.put(desired.service(), r);
    report(r);
  }

  /** Writes every service's status: called after changes and periodically (counters move). */
  void reportAll() {
    running.values().forEach(this::report);
    status.retry();
  }

  private void report(Running r) {
    NodeServiceStatus.Builder b = NodeServiceStatus.newBuilder()
        .setNode(node)
        .setUpdateTime(Timestamps.of(clock.instant()));
    if (r.relay == null) {
      b.setState("Failed").setError(r.error);
    } else {
      RelayStats stats = r.relay.stats();
      Material m = r.material.get();
      b.setState("Listening")
          .setActiveConnections(stats.activeConnections())
          .setBytesIn(stats.bytesIn())
          .setBytesOut(stats.bytesOut())
          .setLastFailure(stats.lastFailure().orElse(r.lastFailure.get()));
      if (m != null) {
        b.setCertSerial(Keys.serialHex(m.certificate()))
            .setCertNotAfter(Timestamps.of(m.certificate().getNotAfter().toInstant()));
      }
    }
    status.put(r.config.service(), b.build());
  }

  private SslContext context(RelaySpec spec, Material m, List<X509Certificate> foreignTrust) {
    if (spec.mode() == RelaySpec.Mode.SERVER) {
      return TlsContexts.forServer(m.key(), List.of(m.certificate()), trust.get(), spec.verify(), spec.minTlsVersion(),
          provider, revocations, spec.tlsChoices());
    }
    // A foreign server's certificate is not the cluster's to revoke.
    if (!foreignTrust.isEmpty()) {
      return m == null
          ? TlsContexts.forClient(null, null, foreignTrust, spec.minTlsVersion(), provider, RevocationCheck.NONE,
              spec.tlsChoices())
          : TlsContexts.forClient(m.key(), List.of(m.certificate()), foreignTrust, spec.minTlsVersion(), provider,
              RevocationCheck.NONE, spec.tlsChoices());
    }
    return TlsContexts.forClient(m.key(), List.of(m.certificate()), trust.get(), spec.minTlsVersion(), provider,
        revocations, spec.tlsChoices());
  }

  /** The relay's view of a spec: addresses resolved, defaults applied. */
  static RelaySpec relaySpec(DesiredRelay desired) {
    ServiceSpec s = desired.spec();
    boolean client = s.getMode() == Mode.MODE_CLIENT;
    HostPort accept = HostPort.parse("accept", s.getAccept(), false);
    // A bare port binds every address in server mode, as stunnel does, and loopback only in
    // client mode: a client-mode listener lends this node's identity to whoever connects.
    InetSocketAddress acceptAddress = accept.hasHost() ? new InetSocketAddress(accept.host(), accept.port())
        : client ? new InetSocketAddress(InetAddress.getLoopbackAddress(), accept.port())
        : new InetSocketAddress(accept.port());
    List<String> targets = s.getTo().isEmpty() ? s.getConnectList() : desired.targets();
    if (targets.isEmpty()) {
      throw new IllegalStateException("no node runs service " + s.getTo() + " yet: nothing to connect to");
    }
    List<InetSocketAddress> connect = targets.stream().map(t -> {
      HostPort hp = HostPort.parse("connect", t, true);
      return new InetSocketAddress(hp.host(), hp.port());
    }).toList();
    RelaySpec.Builder b = client ? RelaySpec.client(s.getName()) : RelaySpec.server(s.getName());
    RelaySpec.Timeouts timeouts = RelaySpec.Timeouts.DEFAULT;
    if (s.getHandshakeTimeoutSeconds() > 0) {
      timeouts = timeouts.withHandshake(Duration.ofSeconds(s.getHandshakeTimeoutSeconds()));
    }
    if (s.getConnectTimeoutSeconds() > 0) {
      timeouts = timeouts.withConnect(Duration.ofSeconds(s.getConnectTimeoutSeconds()));
    }
    if (s.getIdleTimeoutSeconds() > 0) {
      timeouts = timeouts.withIdle(Duration.ofSeconds(s.getIdleTimeoutSeconds()));
    }
    b.accept(acceptAddress).connect(connect)
        .minTlsVersion(s.getTlsMinVersion().isEmpty() ? "1.2" : s.getTlsMinVersion())
        .timeouts(timeouts)
        .maxConnections(s.getMaxConnections() > 0 ? s.getMaxConnections() : RelaySpec.DEFAULT_MAX_CONNECTIONS)
        .proxyProtocol(switch (s.getProxyProtocol()) {
          case "v1" -> RelaySpec.ProxyProtocol.V1;
          case "v2" -> RelaySpec.ProxyProtocol.V2;
          default -> RelaySpec.ProxyProtocol.NONE;
        })
        .failover("rr".equals(s.getFailover()) ? RelaySpec.Failover.RR : RelaySpec.Failover.PRIO)
        .tlsChoices(new TlsChoices(s.getTlsCiphersList(), s.getTlsCiphersuitesList(), s.getTlsCurvesList()));
    if (client) {
      b.serverName(s.getServerName().isEmpty() ? s.getTo() : s.getServerName());
    } else {
      b.verify(switch (s.getVerify()) {
        case VERIFY_NONE -> Verify.NONE;
        case VERIFY_OPTIONAL -> Verify.OPTIONAL;
        default -> Verify.REQUIRE;
      });
      b.allow(new HashSet<>(s.getAllowList()));
    }
    return b.build();
  }

  /**
   * The node's certificate was renewed: client-mode relays without an identity of their own
   * present it from their next connection on (live connections keep theirs). Reconcile thread only.
   */
  void nodeRenewed() {
    for (Running r : running.values()) {
      if (r.onNodeRenewal != null) {
        try {
          r.onNodeRenewal.run();
        } catch (RuntimeException e) {
          log.warn("service {}: cannot present the renewed node certificate ({}); it keeps the previous one",
              r.config.service(), e.getMessage());
        }
      }
    }
  }

  /**
   * Makes every relay check peers against the current trust bundle from its next connection on;
   * live connections keep the context they started with. Reconcile thread only. False if a relay
   * could not take it (that relay keeps the previous one).
   */
  boolean retrustAll() {
    boolean all = true;
    for (Running r : running.values()) {
      if (r.retrust != null) {
        try {
          r.retrust.run();
        } catch (RuntimeException e) {
          all = false;
          log.warn("service {}: cannot apply the new trust bundle ({}); it keeps the previous one", r.config.service(),
              e.getMessage());
        }
      }
    }
    return all;
  }

  /** Gets new certificates for the relays whose own certificate was revoked. Reconcile thread only. */
  void renewRevoked(RevocationCheck check) {
    for (Running r : running.values()) {
      Material m = r.material.get();
      if (r.subject != null && m != null) {
        check.refusal(m.certificate()).ifPresent(why -> {
          log.warn("service {}: its own {}; getting a new one", r.config.service(), why);
          certs.renewNow(r.subject);
        });
      }
    }
  }

  /**
   * Closes every live connection whose peer certificate is now revoked, draining relays
   * included. Safe from any thread; returns how many it closed.
   */
  int disconnectRevoked() {
    return live.stream().mapToInt(Relay::disconnectRevoked).sum();
  }

  @Override
  public void close() {
    live.clear();
    running.values().forEach(r -> {
      if (r.relay != null) {
        r.relay.close();
      }
    });
    running.clear();
  }
}
