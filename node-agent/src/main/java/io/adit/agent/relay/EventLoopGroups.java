package io.adit.agent.relay;

import io.adit.agent.tls.NativeLibraries;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads every relay of a process shares: one acceptor thread and a few I/O threads, on
 * epoll where the kernel and the native library allow it, else on Java NIO. Create one per
 * process and close it last, after every relay.
 */
public final class EventLoopGroups implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventLoopGroups.class);

  /** The I/O implementation in use. */
  public enum Transport { EPOLL, NIO }

  private final Transport transport;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;

  private EventLoopGroups(Transport transport, int workerThreads) {
    this.transport = transport;
    IoHandlerFactory factory = transport == Transport.EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    this.boss = new MultiThreadIoEventLoopGroup(1, factory);
    this.workers = new MultiThreadIoEventLoopGroup(workerThreads, factory);
  }

  /** Epoll if available, else NIO, with one I/O thread per core. */
  public static EventLoopGroups create() {
    return create(Runtime.getRuntime().availableProcessors());
  }

  /** Epoll if available, else NIO, with {@code workerThreads} I/O threads. */
  public static EventLoopGroups create(int workerThreads) {
    Transport transport = Epoll.isAvailable() ? Transport.EPOLL : Transport.NIO;
    if (transport == Transport.EPOLL) {
      log.info("relays use epoll with {} I/O threads", workerThreads);
    } else {
      log.warn("relays use Java NIO with {} I/O threads: epoll is not usable here ({})", workerThreads,
          Epoll.unavailabilityCause() == null ? "not Linux" : NativeLibraries.explain(Epoll.unavailabilityCause()));
    }
    return new EventLoopGroups(transport, workerThreads);
  }

  /** A given transport; fails if it is not available here. */
  public static EventLoopGroups create(Transport transport, int workerThreads) {
    if (transport == Transport.EPOLL) {
      Epoll.ensureAvailability();
    }
    log.info("relays use {} with {} I/O threads", transport == Transport.EPOLL ? "epoll" : "Java NIO", workerThreads);
    return new EventLoopGroups(transport, workerThreads);
  }

  public Transport transport() {
    return transport;
  }

  public EventLoopGroup boss() {
    return boss;
  }

  public EventLoopGroup workers() {
    return workers;
  }

  Class<? extends ServerChannel> serverChannelType() {
    return transport == Transport.EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  Class<? extends SocketChannel> channelType() {
    return transport == Transport.EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  /** Stops the threads (after the relays are closed): waits at most a few seconds. */
  @Override
  public void close() {
    var b = boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    var w = workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    b.awaitUninterruptibly(5, TimeUnit.SECONDS);
    w.awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
