package io.adit.agent.identity;

import io.adit.api.v1.CertificateServiceGrpc;
import io.adit.api.v1.EtcdCredential;
import io.adit.api.v1.GetEtcdCredentialRequest;
import io.adit.api.v1.JoinRequest;
import io.adit.api.v1.JoinResponse;
import io.adit.api.v1.Kind;
import io.adit.api.v1.NodeServiceGrpc;
import io.adit.api.v1.SignCertificateRequest;
import io.adit.api.v1.SignCertificateResponse;
import io.adit.common.grpc.ControllerResolver;
import io.adit.common.tls.SwappableKeyManager;
import io.adit.common.validation.HostPort;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;

/**
 * The agent's calls to the controllers: join (once, trusting only the CA the token pins) and
 * certificate signing (with the node credential, renewed in place). Fails over among the
 * controllers given; every call has a deadline.
 */
public final class ControllerClient implements AutoCloseable {
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
  static final Duration ETCD_LOGIN_TIMEOUT = Duration.ofSeconds(5);

  private final java.util.concurrent.atomic.AtomicReference<ManagedChannel> channel;
  private final List<HostPort> controllers;
  private final SwappableKeyManager keys;
  private volatile List<X509Certificate> trust;

  private ControllerClient(List<HostPort> controllers, SwappableKeyManager keys, List<X509Certificate> trust) {
    this.controllers = List.copyOf(controllers);
    this.keys = keys;
    this.trust = List.copyOf(trust);
    this.channel = new java.util.concurrent.atomic.AtomicReference<>(channel(controllers, null, keys, this.trust));
  }

  /** Joins with a token: returns the response, or throws with the controller's reason. */
  public static JoinResponse join(List<HostPort> controllers, String caHash, JoinRequest request) {
    PinnedCaTrust trust = new PinnedCaTrust(caHash);
    ManagedChannel ch = channel(controllers, trust, null);
    try {
      return NodeServiceGrpc.newBlockingStub(ch).withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).join(request);
    } finally {
      ch.shutdownNow();
    }
  }

  /** A client that authenticates with the node's credential. */
  public static ControllerClient connect(List<HostPort> controllers, Material node) {
    return connect(controllers, node, node.trust());
  }

  /** As above, trusting {@code trust} (the cluster's bundle) for the controllers' certificates. */
  public static ControllerClient connect(List<HostPort> controllers, Material node, List<X509Certificate> trust) {
    return new ControllerClient(controllers, new SwappableKeyManager(node.key(), node.certificate()), trust);
  }

  private static ManagedChannel channel(List<HostPort> controllers, TrustManager pinned, SwappableKeyManager keys) {
    return channel(controllers, pinned, keys, null);
  }

  private static ManagedChannel channel(List<HostPort> controllers, TrustManager pinned, SwappableKeyManager keys,
      List<X509Certificate> trust) {
    try {
      // The JDK provider asks the key manager on every handshake, so a renewed node
      // certificate is used on the next connection without rebuilding the channel.
      SslContextBuilder b = GrpcSslContexts.configure(SslContextBuilder.forClient(), SslProvider.JDK);
      if (pinned != null) {
        b.trustManager(pinned);
      } else {
        b.trustManager(trust);
      }
      if (keys != null) {
        b.keyManager(keys);
      }
      SslContext ssl = b.build();
      return NettyChannelBuilder.forTarget(ControllerResolver.target(controllers))
          .defaultLoadBalancingPolicy("pick_first")
          .sslContext(ssl)
          .userAgent("adit-agent")
          .build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot set up TLS to the controllers: " + e.getMessage(), e);
    }
  }

  /** Signs a CSR for a service, a client identity or the node itself. */
  public SignCertificateResponse sign(Kind kind, String name, String csrPem) {
    return CertificateServiceGrpc.newBlockingStub(channel.get()).withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .signCertificate(SignCertificateRequest.newBuilder().setKind(kind).setName(name).setCsrPem(csrPem).build());
  }

  /**
   * This node's etcd login, with a new password (the previous one stops working); empty when
   * the controller does not manage etcd users.
   */
  public java.util.Optional<EtcdLogin> etcdLogin() {
    // Asked at start, before the relays known from the last run are served again: keep it short.
    EtcdCredential c = NodeServiceGrpc.newBlockingStub(channel.get())
        .withDeadlineAfter(ETCD_LOGIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .getEtcdCredential(GetEtcdCredentialRequest.getDefaultInstance());
    return c.getUser().isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(new EtcdLogin(c.getUser(), c.getPassword()));
  }

  /**
   * Uses a renewed node credential from now on. An HTTP/2 connection lives long and keeps the
   * certificate it was opened with, which the controller checks on every call: so a new channel
   * (new connections, new handshakes) replaces the old one, which finishes its calls and closes.
   * Synchronized with {@link #updateTrust}: they run on different threads (renewal and reconcile),
   * and the channel left in place must carry both the newest credential and the newest trust.
   */
  public synchronized void updateNodeCredential(Material node) {
    keys.update(node.key(), node.certificate());
    ManagedChannel old = channel.getAndSet(channel(controllers, null, keys, trust));
    old.shutdown();
  }

  /**
   * Trusts {@code cas} for the controllers from now on (a CA rotation): a new channel, as for a
   * renewed credential; calls under way finish on the old one.
   */
  public synchronized void updateTrust(List<X509Certificate> cas) {
    trust = List.copyOf(cas);
    ManagedChannel old = channel.getAndSet(channel(controllers, null, keys, trust));
    old.shutdown();
  }

  /** The controller's reason for a failed call, in one sentence. */
  public static String reason(StatusRuntimeException e) {
    String d = e.getStatus().getDescription();
    return e.getStatus().getCode() + (d == null ? "" : ": " + d);
  }

  @Override
  public void close() {
    channel.get().shutdownNow();
  }
}
