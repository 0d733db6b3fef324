package io.adit.controller;

import io.adit.common.config.ClientConfig;
import io.adit.common.pki.Pem;
import io.adit.common.tls.SwappableKeyManager;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLException;

/** gRPC channels to a controller on loopback, over real TLS, as a given caller. */
final class TestChannels {
  private TestChannels() {}

  /**
   * A channel that presents {@code chain} whatever CA names the server announces, as a
   * determined client would (stock TLS clients send nothing when their CA is not announced).
   */
  static ManagedChannel as(int port, List<X509Certificate> trust, PrivateKey key, X509Certificate... chain) {
    try {
      SslContextBuilder ssl = GrpcSslContexts.configure(SslContextBuilder.forClient(), SslProvider.JDK).trustManager(trust);
      if (key != null) {
        ssl.keyManager(new SwappableKeyManager(key, chain));
      }
      return NettyChannelBuilder.forAddress("localhost", port).sslContext(ssl.build()).build();
    } catch (SSLException e) {
      throw new IllegalStateException(e);
    }
  }

  static ManagedChannel fromConfig(ClientConfig config, int port) {
    return as(port, Pem.certificates(config.caPem()), Pem.privateKey(config.keyPem()), Pem.certificate(config.certPem()));
  }
}
