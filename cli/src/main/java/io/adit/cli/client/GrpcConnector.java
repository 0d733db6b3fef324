package io.adit.cli.client;

import io.adit.common.config.ClientConfig;
import io.adit.common.config.ConfigException;
import io.adit.common.grpc.ControllerResolver;
import io.adit.common.validation.HostPort;
import io.adit.common.validation.InvalidInputException;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLException;

/**
 * Connects to the controllers over mutual TLS: the config's CA is the only trust anchor, its
 * certificate and key authenticate the caller.
 *
 * <p>Tuned for a process that makes one or two calls and exits: the JDK's TLS and NIO instead
 * of BoringSSL and epoll (loading and unpacking the native libraries costs more start-up time
 * than it saves on one handshake), one event-loop thread, calls run on that thread.
 */
public final class GrpcConnector implements Connector {
  /** Listing 10,000 services with their node status exceeds gRPC's default of 4 MiB. */
  private static final int MAX_RESPONSE_BYTES = 256 << 20;
  /** Held here: java.util.logging keeps loggers weakly, and would forget the level. */
  private static final Logger GRPC_LOGGER = Logger.getLogger("io.grpc");
  private final Clock clock;

  public GrpcConnector(Clock clock) {
    this.clock = clock;
  }

  @Override
  public ControllerApi connect(ClientConfig config, Path configFile, Duration timeout, boolean verbose) {
    // grpc logs failures it also reports to the caller, with stack traces; the CLI reports them
    // once, in one sentence, and shows the traces only with --verbose.
    GRPC_LOGGER.setLevel(verbose ? null : Level.OFF);
    Credentials credentials = Credentials.load(config, configFile, clock.instant());
    List<HostPort> controllers = controllers(config, configFile);
    SslContext ssl = sslContext(credentials);
    EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, daemonThreads(), NioIoHandler.newFactory());
    ManagedChannel channel = NettyChannelBuilder.forTarget(ControllerResolver.target(controllers))
        .defaultLoadBalancingPolicy("pick_first")
        .sslContext(ssl)
        .channelType(NioSocketChannel.class)
        .eventLoopGroup(loop)
        .directExecutor()
        .maxInboundMessageSize(MAX_RESPONSE_BYTES)
        .userAgent("aditctl")
        .build();
    Target target = new Target(configFile, controllers.stream().map(HostPort::toString).toList());
    return new GrpcControllerApi(channel, loop, timeout, target);
  }

  private static List<HostPort> controllers(ClientConfig config, Path configFile) {
    List<HostPort> out = new ArrayList<>();
    for (String c : config.controllers()) {
      try {
        out.add(HostPort.parse("controller '" + c + "'", c, true));
      } catch (InvalidInputException e) {
        throw new ConfigException("config file " + configFile + " lists a bad controller address ("
            + e.getMessage() + ")");
      }
    }
    return out;
  }

  static SslContext sslContext(Credentials credentials) {
    try {
      SslContextBuilder builder = GrpcSslContexts.configure(SslContextBuilder.forClient(), SslProvider.JDK);
      return builder
          .trustManager(credentials.trust())
          .keyManager(credentials.key(), credentials.chain())
          .build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot set up TLS with the config's credential: " + e.getMessage(), e);
    }
  }

  private static ThreadFactory daemonThreads() {
    return r -> {
      Thread t = new Thread(r, "aditctl-io");
      t.setDaemon(true);
      return t;
    };
  }
}
