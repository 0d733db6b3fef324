package io.adit.agent.e2e;

import io.adit.agent.Agent;
import io.adit.agent.AgentConfig;
import io.adit.agent.tls.Provider;
import io.adit.api.v1.CertificateServiceGrpc;
import io.adit.api.v1.CreateIdentityRequest;
import io.adit.api.v1.CreateJoinTokenRequest;
import io.adit.api.v1.CreateServiceRequest;
import io.adit.api.v1.GetServiceRequest;
import io.adit.api.v1.IdentityServiceGrpc;
import io.adit.api.v1.Kind;
import io.adit.api.v1.NodeServiceGrpc;
import io.adit.api.v1.NodeServiceStatus;
import io.adit.api.v1.ServiceSpec;
import io.adit.api.v1.SignCertificateRequest;
import io.adit.api.v1.SignCertificateResponse;
import io.adit.api.v1.TunnelServiceGrpc;
import io.adit.common.config.ClientConfig;
import io.adit.common.pki.Keys;
import io.adit.common.pki.Pem;
import io.adit.common.validation.HostPort;
import io.adit.controller.Controller;
import io.adit.controller.ControllerConfig;
import io.adit.testing.Tools;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.awaitility.Awaitility;

/**
 * A controller on a real etcd, an admin connection to it, and agents joined with real tokens:
 * what the end-to-end tests share. Everything it starts, {@link #close} stops.
 */
final class Cluster implements AutoCloseable {
  final Controller controller;
  final ManagedChannel admin;
  final Path dir;
  final List<X509Certificate> trust;
  private final List<Agent> agents = new ArrayList<>();

  /** A client identity's key and certificate. */
  record Credential(PrivateKey key, X509Certificate cert, Path keyFile, Path certFile) {}

  Cluster(List<String> etcd, Path dir, Duration defaultTtl) throws Exception {
    this(etcd, dir, defaultTtl, c -> c);
  }

  /** With the controller's config adjusted before it starts (etcd TLS, say). */
  Cluster(List<String> etcd, Path dir, Duration defaultTtl, UnaryOperator<ControllerConfig> adjust) throws Exception {
    this(etcd, dir, defaultTtl, adjust, Controller.DEFAULT_ROTATION);
  }

  /** With CA rotation's timing (a retire slack of seconds, say). */
  Cluster(List<String> etcd, Path dir, Duration defaultTtl, UnaryOperator<ControllerConfig> adjust,
      io.adit.controller.ca.CaRotation.Settings rotation) throws Exception {
    this.dir = dir;
    ControllerConfig config = ControllerConfig.of(etcd, new HostPort("127.0.0.1", 0), dir.resolve("ctl"));
    if (defaultTtl != null) {
      config = config.withTtls(defaultTtl, Duration.ofDays(30));
    }
    config = adjust.apply(config);
    controller = Controller.start(config, Clock.systemUTC(), rotation);
    ClientConfig cfg = ClientConfig.read(controller.adminConfig());
    trust = Pem.certificates(cfg.caPem());
    admin = NettyChannelBuilder.forAddress("localhost", controller.port())
        .sslContext(GrpcSslContexts.forClient().trustManager(trust)
            .keyManager(Pem.privateKey(cfg.keyPem()), Pem.certificate(cfg.certPem())).build())
        .build();
    Files.writeString(dir.resolve("ca.crt"), cfg.caPem());
  }

  /**
   * A socat echo backend on 127.0.0.1:{@code port}, listening when this returns. The listen
   * address comes first so that each forked connection gets a pipe of its own.
   */
  static Tools.Background socatEcho(int port) {
    Tools.Background echo = Tools.start(List.of("socat", "TCP-LISTEN:" + port + ",bind=127.0.0.1,reuseaddr,fork", "PIPE"));
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Tools.listening(port));
    return echo;
  }

  TunnelServiceGrpc.TunnelServiceBlockingStub tunnels() {
    return TunnelServiceGrpc.newBlockingStub(admin).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  String token() {
    return NodeServiceGrpc.newBlockingStub(admin).withDeadlineAfter(10, TimeUnit.SECONDS)
        .createJoinToken(CreateJoinTokenRequest.getDefaultInstance()).getToken();
  }

  /** Joins (or restarts, if its data dir holds a credential) the agent of {@code node}. */
  Agent agent(String node) throws Exception {
    return agent(node, c -> c);
  }

  /** As {@link #agent(String)}, with relays on the given TLS engine. */
  Agent agent(String node, Provider tls) throws Exception {
    return agent(node, c -> c.withTlsProvider(tls));
  }

  /**
   * Like {@link #agent(String)}, with the config adjusted before the start: an etcd or
   * controller address of a proxy the test controls, another resync period.
   */
  Agent agent(String node, UnaryOperator<AgentConfig> adjust) throws Exception {
    Path data = dir.resolve("agent-" + node);
    Optional<String> token = Files.exists(data.resolve("node.conf")) ? Optional.empty() : Optional.of(token());
    Agent a = Agent.start(adjust.apply(AgentConfig.of(List.of(new HostPort("127.0.0.1", controller.port())), token, node,
        data, List.of(), "127.0.0.1")), Clock.systemUTC());
    agents.add(a);
    return a;
  }

  void stop(Agent a) {
    agents.remove(a);
    a.close();
  }

  void create(ServiceSpec.Builder spec) {
    tunnels().createService(CreateServiceRequest.newBuilder().setSpec(spec).build());
  }

  Optional<NodeServiceStatus> status(String service, String node) {
    return tunnels().getService(GetServiceRequest.newBuilder().setName(service).build()).getNodeStatusList().stream()
        .filter(s -> s.getNode().equals(node)).findFirst();
  }

  /** Waits until {@code node} reports {@code state} for the service; returns that status. */
  NodeServiceStatus await(String service, String node, String state) {
    return Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
        .until(() -> status(service, node).orElse(null), s -> s != null && s.getState().equals(state));
  }

  Credential client(String name) throws Exception {
    IdentityServiceGrpc.newBlockingStub(admin).withDeadlineAfter(10, TimeUnit.SECONDS)
        .createIdentity(CreateIdentityRequest.newBuilder().setName(name).build());
    return reissue(name);
  }

  /** A new key and certificate for an existing identity (files overwritten). */
  Credential reissue(String name) throws Exception {
    KeyPair key = Keys.generateP256();
    SignCertificateResponse r = CertificateServiceGrpc.newBlockingStub(admin).withDeadlineAfter(10, TimeUnit.SECONDS)
        .signCertificate(SignCertificateRequest.newBuilder().setKind(Kind.KIND_CLIENT).setName(name)
            // An hour, whatever the cluster's default: tests with second-long defaults need a
            // client that outlives them.
            .setTtlSeconds(3600).setCsrPem(Pem.encode(Keys.csr(key, name))).build());
    Path crt = dir.resolve(name + ".crt");
    Path k = dir.resolve(name + ".key");
    Files.writeString(crt, r.getCertificatePem());
    Files.writeString(k, Pem.encode(key.getPrivate()));
    return new Credential(key.getPrivate(), Pem.certificate(r.getCertificatePem()), k, crt);
  }

  @Override
  public void close() {
    agents.forEach(Agent::close);
    admin.shutdownNow();
    controller.close();
  }
}
