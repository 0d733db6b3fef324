package io.adit.controller.server;

import io.adit.common.tls.SwappableKeyManager;
import io.adit.common.validation.HostPort;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The gRPC server: TLS only (1.2 and 1.3), client certificates asked for and verified per call
 * by the auth interceptor. Built on grpc-netty-shaded explicitly: the unshaded grpc-netty that
 * jetcd brings is on the classpath too, and must not be picked by accident.
 */
public final class ApiServer implements AutoCloseable {
  private final Server server;

  private ApiServer(Server server) {
    this.server = server;
  }

  public static ApiServer start(HostPort listen, SwappableKeyManager keys, Supplier<List<X509Certificate>> bundle,
      ServerInterceptor auth, List<BindableService> services) throws IOException {
    return start(listen, keys, bundle, List.of(auth), services);
  }

  /**
   * @param interceptors around every service, innermost first: the last one sees each call
   *     first (e.g. the auth check, then the metrics, so refused calls are counted too)
   */
  public static ApiServer start(HostPort listen, SwappableKeyManager keys, Supplier<List<X509Certificate>> bundle,
      List<ServerInterceptor> interceptors, List<BindableService> services) throws IOException {
    // The JDK provider asks the key manager on each handshake, so a renewed serving
    // certificate applies to new connections at once; API traffic is light, BoringSSL's
    // speed buys nothing here.
    SslContext ssl = GrpcSslContexts.configure(SslContextBuilder.forServer(keys), SslProvider.JDK)
        .trustManager(new DeferredClientTrust(bundle))
        .clientAuth(ClientAuth.OPTIONAL)
        .protocols("TLSv1.3", "TLSv1.2")
        .build();
    InetSocketAddress address = listen.hasHost() ? new InetSocketAddress(listen.host(), listen.port())
        : new InetSocketAddress(listen.port());
    NettyServerBuilder builder = NettyServerBuilder.forAddress(address)
        .sslContext(ssl)
        .handshakeTimeout(10, TimeUnit.SECONDS)
        .maxInboundMessageSize(4 * 1024 * 1024)
        .permitKeepAliveTime(10, TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true);
    for (BindableService s : services) {
      builder.addService(ServerInterceptors.intercept(s, interceptors));
    }
    try {
      return new ApiServer(builder.build().start());
    } catch (IOException e) {
      throw new IOException("cannot listen on " + listen + ": " + bindReason(e) + "; choose another address with --listen", e);
    }
  }

  static String bindReason(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      String m = String.valueOf(c.getMessage()).toLowerCase(java.util.Locale.ROOT);
      if (m.contains("address already in use")) {
        return "the address is already in use (another controller or program listens there)";
      }
      if (m.contains("permission denied")) {
        return "permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)";
      }
      if (m.contains("cannot assign requested address")) {
        return "this host has no such address";
      }
    }
    return String.valueOf(e.getMessage());
  }

  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
