package io.adit.controller;

import com.google.common.net.InetAddresses;
import io.adit.common.config.ClientConfig;
import io.adit.common.files.AtomicFiles;
import io.adit.common.metrics.MetricsHttpServer;
import io.adit.common.pki.Keys;
import io.adit.common.pki.Pem;
import io.adit.common.pki.SpiffeId;
import io.adit.common.tls.SwappableKeyManager;
import io.adit.common.validation.HostPort;
import io.adit.controller.api.AuditApi;
import io.adit.controller.api.CertificateApi;
import io.adit.controller.api.IdentityApi;
import io.adit.controller.apply.Applier;
import io.adit.controller.api.NodeApi;
import io.adit.controller.api.TunnelApi;
import io.adit.controller.audit.AuditingKv;
import io.adit.controller.auth.AccessPolicy;
import io.adit.controller.auth.AuthInterceptor;
import io.adit.controller.auth.PeerVerifier;
import io.adit.controller.ca.CaImport;
import io.adit.controller.ca.CaMaterial;
import io.adit.controller.ca.CaRotation;
import io.adit.controller.ca.CaRotator;
import io.adit.controller.ca.ClusterAuthority;
import io.adit.controller.ca.TtlPolicy;
import io.adit.controller.crl.CrlMaker;
import io.adit.controller.errors.UnavailableException;
import io.adit.controller.identity.IdentityManager;
import io.adit.controller.issuance.Issuer;
import io.adit.controller.metrics.ControllerMetrics;
import io.adit.controller.metrics.Readiness;
import io.adit.controller.node.NodeManager;
import io.adit.controller.revocation.RevocationManager;
import io.adit.controller.server.ApiServer;
import io.adit.controller.server.CrlHttpServer;
import io.adit.controller.store.NodeAccess;
import io.adit.controller.store.etcd.EtcdKv;
import io.adit.controller.store.etcd.EtcdNodeUsers;
import io.adit.controller.tunnel.TunnelManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running controller: etcd client, cluster CA, gRPC API. {@link #start} wires everything and
 * returns once the API is listening; {@link #close} stops it. Holds no state of its own beyond
 * caches: etcd is the source of truth, so several controllers can share one etcd.
 */
public final class Controller implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Controller.class);
  static final Duration SERVING_CERT_TTL = Duration.ofHours(24);
  static final Duration STARTUP_ETCD_WAIT = Duration.ofSeconds(30);
  public static final String ADMIN_CONFIG = "admin.conf";

  private final EtcdKv kv;
  private final ApiServer server;
  private final ClusterAuthority authority;
  private final Path adminConfig;
  private final ScheduledExecutorService scheduler;
  private final Optional<CrlHttpServer> http;
  private final Optional<MetricsHttpServer> metricsHttp;

  private Controller(EtcdKv kv, ApiServer server, ClusterAuthority authority, Path adminConfig,
      ScheduledExecutorService scheduler, Optional<CrlHttpServer> http, Optional<MetricsHttpServer> metricsHttp) {
    this.metricsHttp = metricsHttp;
    this.kv = kv;
    this.server = server;
    this.authority = authority;
    this.adminConfig = adminConfig;
    this.scheduler = scheduler;
    this.http = http;
  }

  public static Controller start(ControllerConfig config) throws IOException, InterruptedException {
    return start(config, Clock.systemUTC());
  }

  public static Controller start(ControllerConfig config, Clock clock) throws IOException, InterruptedException {
    return start(config, clock, DEFAULT_ROTATION);
  }

  /** How often each controller re-reads the CAs from etcd and moves a CA rotation along. */
  static final Duration CA_REFRESH = Duration.ofSeconds(2);
  /**
   * A new CA stays prepared at least this long, so every controller has re-read the bundle (and
   * trusts the new CA) before the first certificate from it exists; a retiring CA stays trusted
   * {@code --ca-retire-slack} past its last certificate.
   */
  public static final CaRotation.Settings DEFAULT_ROTATION =
      new CaRotation.Settings(CA_REFRESH.multipliedBy(3), Duration.ofMinutes(5));

  /** As {@link #start(ControllerConfig, Clock)}, with CA rotation's timing. */
  public static Controller start(ControllerConfig config, Clock clock, CaRotation.Settings rotation)
      throws IOException, InterruptedException {
    AtomicFiles.ensurePrivateDirectory(config.dataDir());
    Optional<CaMaterial> imported = Optional.empty();
    if (config.importCaCert().isPresent()) {
      CaImport.Imported result = CaImport.load(config.importCaCert().get(), config.importCaKey().get());
      result.warnings().forEach(w -> log.warn("imported CA: {}", w));
      imported = Optional.of(result.material());
    }
    ControllerMetrics metrics = config.metricsListen().isPresent() ? ControllerMetrics.prometheus()
        : ControllerMetrics.none();
    EtcdKv kv = EtcdKv.connect(config.etcdEndpoints(), config.etcdTimeout(), config.etcdTls().orElse(null),
        config.etcdAuth().orElse(null), metrics);
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "controller-renewal");
      t.setDaemon(true);
      return t;
    });
    Optional<CrlHttpServer> http = Optional.empty();
    Optional<MetricsHttpServer> metricsHttp = Optional.empty();
    Readiness readiness = new Readiness(kv);
    try {
      // First: /healthz answers, and /readyz says why not, while etcd is awaited.
      if (config.metricsListen().isPresent()) {
        metricsHttp = Optional.of(MetricsHttpServer.start(config.metricsListen().get(), "--metrics-listen",
            metrics.exposition().orElseThrow(), readiness));
        log.info("serving /metrics, /healthz and /readyz on port {}", metricsHttp.get().port());
      }
      ClusterAuthority authority = bootstrapWaitingForEtcd(kv, config, imported, clock);
      NodeAccess nodeAccess = NodeAccess.NONE;
      if (config.etcdAuth().isPresent()) {
        EtcdNodeUsers.requireRoot(kv, config.etcdAuth().get().user());
        nodeAccess = new EtcdNodeUsers(kv);
        log.info("etcd has authentication enabled: each node gets an etcd user of its own ({}NAME)", EtcdNodeUsers.user(""));
      }
      TtlPolicy ttl = new TtlPolicy(config.defaultTtl(), config.maxTtl());
      AuditingKv store = new AuditingKv(kv, clock);
      TunnelManager tunnels = new TunnelManager(store, clock, config.maxTtl());
      IdentityManager identities = new IdentityManager(store, clock);
      NodeManager nodes = new NodeManager(store, clock, metrics::joined);
      refreshNodeAccess(nodeAccess, nodes);
      RevocationManager revocations = new RevocationManager(store, identities, clock);
      Issuer issuer = new Issuer(authority, ttl, tunnels, identities, revocations, metrics::issued);
      CrlMaker crls = new CrlMaker(kv, authority::active, authority::trusted, clock, config.crlValidity());
      if (config.httpListen().isPresent()) {
        http = Optional.of(CrlHttpServer.start(config.httpListen().get(), crls::recent));
      }

      SwappableKeyManager.Pair serving = servingMaterial(issuer, authority, config);
      SwappableKeyManager keys = new SwappableKeyManager(serving.key(), serving.chain());
      PeerVerifier verifier = new PeerVerifier(authority::bundle, authority::trustDomain, clock,
          revocations::revokedSerial);
      CaRotator rotator = new CaRotator(authority, store, clock, rotation);
      ApiServer server = ApiServer.start(config.listen(), keys, authority::bundle,
          List.of(new AuthInterceptor(verifier, AccessPolicy.standard()), metrics.rpcInterceptor()),
          List.of(new TunnelApi(tunnels, new Applier(store, clock)), new IdentityApi(identities, revocations), new AuditApi(store),
              new CertificateApi(authority, issuer, revocations, crls, rotator),
              new NodeApi(nodes, authority, issuer, config.etcdEndpoints(), tunnels, revocations, nodeAccess)));
      long renewEvery = SERVING_CERT_TTL.toSeconds() / 2;
      scheduler.scheduleAtFixedRate(() -> renewServing(keys, issuer, authority, config), renewEvery, renewEvery, TimeUnit.SECONDS);
      // issued/ records outlive their certificate by the retire slack at least: a retiring CA's last
      // expiry is read from them.
      Duration keepIssued = Collections.max(List.of(Duration.ofHours(1), rotation.retireSlack()));
      scheduler.scheduleWithFixedDelay(() -> prune(revocations, store, clock, keepIssued), 1, 60, TimeUnit.MINUTES);
      // A new active CA (this controller's rotation step or another's): serve a certificate from it.
      authority.onActiveChange(() -> scheduler.execute(() -> renewServing(keys, issuer, authority, config)));
      scheduler.scheduleWithFixedDelay(rotator::stepQuietly, CA_REFRESH.toMillis(), CA_REFRESH.toMillis(),
          TimeUnit.MILLISECONDS);

      Path adminConfig = config.dataDir().resolve(ADMIN_CONFIG);
      writeAdminConfigIfNeeded(adminConfig, issuer, authority, config, server.port());
      log.info("controller listening on {} (trust domain {}, etcd {})", new HostPort(config.listen().host(), server.port()),
          authority.trustDomain(), kv.describe());
      readiness.serving();
      return new Controller(kv, server, authority, adminConfig, scheduler, http, metricsHttp);
    } catch (IOException | RuntimeException | InterruptedException e) {
      metricsHttp.ifPresent(MetricsHttpServer::close);
      http.ifPresent(CrlHttpServer::close);
      scheduler.shutdownNow();
      kv.close();
      throw e;
    }
  }

  /** At start etcd may still be coming up (systemd starts both): wait a bounded time for it. */
  private static ClusterAuthority bootstrapWaitingForEtcd(EtcdKv kv, ControllerConfig config,
      Optional<CaMaterial> imported, Clock clock) throws InterruptedException {
    long deadline = System.nanoTime() + STARTUP_ETCD_WAIT.toNanos();
    long backoffMs = 200;
    while (true) {
      try {
        return ClusterAuthority.bootstrap(kv, config.dataDir(), config.trustDomain(), imported, clock, config.crlUrl());
      } catch (UnavailableException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        log.warn("waiting for etcd: {}", e.getMessage());
        TimeUnit.MILLISECONDS.sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 3000);
      }
    }
  }

  private static SwappableKeyManager.Pair servingMaterial(Issuer issuer, ClusterAuthority authority,
      ControllerConfig config) {
    KeyPair pair = Keys.generateP256();
    Set<String> dns = new LinkedHashSet<>(List.of("localhost"));
    Set<String> ips = new LinkedHashSet<>(List.of("127.0.0.1", "::1"));
    List<HostPort> names = new ArrayList<>(config.advertise());
    names.add(config.listen());
    for (HostPort hp : names) {
      String host = hp.host();
      if (host.isEmpty() || host.equals("0.0.0.0") || host.equals("::")) {
        continue;
      }
      (InetAddresses.isInetAddress(host) ? ips : dns).add(host);
    }
    X509Certificate[] chain = issuer.issueServing(Pem.encode(Keys.csr(pair, "adit-controller")),
        SpiffeId.controller(authority.trustDomain()), List.copyOf(dns), List.copyOf(ips), SERVING_CERT_TTL);
    return new SwappableKeyManager.Pair(pair.getPrivate(), chain);
  }

  /** How long audit events are kept. */
  static final Duration AUDIT_RETENTION = Duration.ofDays(90);

  /**
   * Drops the records of certificates that expired over an hour ago and audit events older than
   * {@link #AUDIT_RETENTION}; never throws (it runs on the scheduler).
   */
  /** Every joined node's etcd role gets today's permissions, so agents of an earlier version's role keep working. */
  private static void refreshNodeAccess(NodeAccess access, NodeManager nodes) {
    if (access == NodeAccess.NONE) {
      return;
    }
    for (var node : nodes.list()) {
      try {
        access.refresh(node.getName());
      } catch (RuntimeException e) {
        log.warn("cannot bring node {}'s etcd role up to date ({}); it is tried again at the next start", node.getName(),
            e.getMessage());
      }
    }
  }

  private static void prune(RevocationManager revocations, AuditingKv audit, Clock clock, Duration keepIssued) {
    try {
      int n = revocations.prune(keepIssued);
      int events = audit.prune(clock.instant().minus(AUDIT_RETENTION));
      if (n + events > 0) {
        log.info("pruned {} record(s) of expired certificates and {} audit event(s) older than {} days", n, events,
            AUDIT_RETENTION.toDays());
      }
    } catch (RuntimeException e) {
      log.warn("pruning old records failed ({}); trying again in an hour", e.getMessage());
    }
  }

  private static void renewServing(SwappableKeyManager keys, Issuer issuer, ClusterAuthority authority,
      ControllerConfig config) {
    try {
      SwappableKeyManager.Pair renewed = servingMaterial(issuer, authority, config);
      keys.update(renewed.key(), renewed.chain());
      log.info("renewed the controller's serving certificate, valid until {}", renewed.leaf().getNotAfter().toInstant());
    } catch (RuntimeException e) {
      log.warn("could not renew the controller's serving certificate (the current one stays until {}): {}",
          keys.current().leaf().getNotAfter().toInstant(), e.getMessage());
    }
  }

  /**
   * Writes {@code admin.conf} at the first start, and again when the one there belongs to
   * another cluster (its CA is not trusted here): a data dir reused against a new etcd.
   */
  private static void writeAdminConfigIfNeeded(Path file, Issuer issuer, ClusterAuthority authority,
      ControllerConfig config, int port) throws IOException {
    if (Files.exists(file)) {
      try {
        ClientConfig existing = ClientConfig.read(file);
        if (authority.bundle().containsAll(Pem.certificates(existing.caPem()))) {
          return;
        }
        log.warn("{} belongs to another cluster (its CA is not this cluster's): writing a new one", file);
      } catch (RuntimeException e) {
        log.warn("{} is not readable ({}): writing a new one", file, e.getMessage());
      }
    }
    KeyPair pair = Keys.generateP256();
    X509Certificate cert = issuer.issueTrusted(Pem.encode(Keys.csr(pair, "admin")), SpiffeId.Kind.ADMIN, "admin",
        config.adminCertTtl(), "the controller's first start (" + file + ")");
    ClientConfig admin = ClientConfig.of(endpoints(config, port), authority.trustDomain(),
        new SpiffeId(authority.trustDomain(), SpiffeId.Kind.ADMIN, "admin").toString(),
        authority.bundlePem(), Pem.encode(cert), Pem.encode(pair.getPrivate()));
    admin.write(file);
    log.info("wrote the admin credential {} (mode 0600, valid until {}): use it with aditctl --config {}", file,
        cert.getNotAfter().toInstant(), file);
  }

  /** Where clients reach this controller: the advertised addresses, else the listen address. */
  static List<String> endpoints(ControllerConfig config, int boundPort) {
    List<String> out = new ArrayList<>();
    for (HostPort hp : config.advertise()) {
      out.add(new HostPort(hp.host(), hp.port() == 0 ? boundPort : hp.port()).toString());
    }
    if (out.isEmpty()) {
      String host = config.listen().host();
      boolean wildcard = host.isEmpty() || host.equals("0.0.0.0") || host.equals("::");
      out.add(new HostPort(wildcard ? "localhost" : host, boundPort).toString());
    }
    return out;
  }

  public int port() {
    return server.port();
  }

  public Path adminConfig() {
    return adminConfig;
  }

  public ClusterAuthority authority() {
    return authority;
  }

  /** The port the CRL is served on over HTTP, if {@code --http-listen} was given. */
  public Optional<Integer> httpPort() {
    return http.map(CrlHttpServer::port);
  }

  /** The port of /metrics, if {@code --metrics-listen} was given. */
  public Optional<Integer> metricsPort() {
    return metricsHttp.map(MetricsHttpServer::port);
  }

  @Override
  public void close() {
    metricsHttp.ifPresent(MetricsHttpServer::close);
    http.ifPresent(CrlHttpServer::close);
    scheduler.shutdownNow();
    server.close();
    kv.close();
  }
}
