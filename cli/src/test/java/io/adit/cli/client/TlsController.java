package io.adit.cli.client;

import io.adit.api.v1.ListServicesRequest;
import io.adit.api.v1.ListServicesResponse;
import io.adit.api.v1.Service;
import io.adit.api.v1.ServiceSpec;
import io.adit.api.v1.TunnelServiceGrpc;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/** A controller stand-in on loopback with real mutual TLS, serving ListServices only. */
final class TlsController implements AutoCloseable {
  final Server server;
  volatile Status failWith;

  TlsController(PrivateKey key, X509Certificate cert, X509Certificate trustedClientCa) throws IOException {
    var ssl = GrpcSslContexts.configure(SslContextBuilder.forServer(key, cert), SslProvider.JDK)
        .trustManager(trustedClientCa)
        .clientAuth(ClientAuth.REQUIRE)
        .build();
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .sslContext(ssl)
        .addService(new TunnelServiceGrpc.TunnelServiceImplBase() {
          @Override
          public void listServices(ListServicesRequest request, StreamObserver<ListServicesResponse> response) {
            if (failWith != null) {
              response.onError(failWith.asRuntimeException());
              return;
            }
            response.onNext(ListServicesResponse.newBuilder()
                .addServices(Service.newBuilder().setSpec(ServiceSpec.newBuilder().setName("web").setAccept("443")
                    .addConnect("127.0.0.1:8080").addNodes("n1")).setVersion(3))
                .build());
            response.onCompleted();
          }
        })
        .build()
        .start();
  }

  int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.shutdownNow();
  }
}
