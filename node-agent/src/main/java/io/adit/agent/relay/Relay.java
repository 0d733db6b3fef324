package io.adit.agent.relay;

import io.adit.agent.relay.Connection.Side;
import io.adit.agent.relay.RelaySpec.Mode;
import io.adit.agent.tls.RevocationCheck;
import io.adit.agent.tls.TlsMaterial;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * One listening tunnel, as stunnel runs one service: server mode accepts TLS and relays
 * plaintext to a backend; client mode accepts plaintext and relays it over TLS to a server.
 *
 * <p>The relay knows nothing of etcd or the controller: it is made of plain values
 * ({@link RelaySpec}) and TLS material the caller renews ({@link TlsMaterial}). A changed spec
 * means a new relay: {@link #drain} the old one (it stops listening first) and start the next.
 *
 * <p>Threading: {@link #start}, {@link #drain} and {@link #close} may be called from any thread
 * but an event loop (start and close block briefly). Connections run on the shared
 * {@link EventLoopGroups}; the {@link RelayListener} is called on those threads.
 */
public final class Relay implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Relay.class);

  /** Per direction, reading pauses when this much waits to be written to the slower side. */
  static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

  private final RelaySpec spec;
  private final TlsMaterial tls;
  private final EventLoopGroups groups;
  private final RelayListener listener;
  private final StatsRecorder stats = new StatsRecorder();
  private final Set<Connection> live = ConcurrentHashMap.newKeySet();
  private final AtomicInteger roundRobin = new AtomicInteger();
  private final Object drainLock = new Object();
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  private volatile boolean draining;
  private volatile boolean listenerClosed;
  private Channel server;

  private Relay(RelaySpec spec, TlsMaterial tls, EventLoopGroups groups, RelayListener listener) {
    this.spec = spec;
    this.tls = tls;
    this.groups = groups;
    this.listener = listener;
  }

  /**
   * Binds {@code spec.accept()} and starts serving.
   *
   * @param tls server contexts for server mode, client contexts for client mode; read once per
   *     new connection, so an update applies to new connections only
   * @throws RelayBindException if the address cannot be bound, in a plain sentence
   * @throws IllegalArgumentException if the TLS material does not fit the mode
   */
  public static Relay start(RelaySpec spec, TlsMaterial tls, EventLoopGroups groups, RelayListener listener)
      throws RelayBindException {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(groups, "groups");
    SslContext first = Objects.requireNonNull(tls.current(), "tls.current()");
    if (first.isServer() != (spec.mode() == Mode.SERVER)) {
      throw new IllegalArgumentException(spec.mode().name().toLowerCase(Locale.ROOT) + "-mode service " + spec.service()
          + " needs a " + (spec.mode() == Mode.SERVER ? "server" : "client") + " TLS context");
    }
    Relay relay = new Relay(spec, tls, groups, listener == null ? RelayListener.NONE : listener);
    relay.bind();
    return relay;
  }

  private void bind() throws RelayBindException {
    ServerBootstrap b = new ServerBootstrap()
        .group(groups.boss(), groups.workers())
        .channel(groups.serverChannelType())
        .option(ChannelOption.SO_BACKLOG, 1024)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.AUTO_READ, false)
        .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.SO_KEEPALIVE, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            accept(ch);
          }
        });
    ChannelFuture bound = b.bind(spec.accept()).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      throw BindErrors.explain(spec.accept(), bound.cause());
    }
    server = bound.channel();
    server.closeFuture().addListener(f -> {
      listenerClosed = true;
      maybeTerminated();
    });
    log.info("{} listening on {} ({} mode, {} to {})", spec.service(), Plain.address(localAddress()),
        spec.mode().name().toLowerCase(Locale.ROOT), spec.mode() == Mode.SERVER ? "plaintext" : "TLS",
        spec.connect().stream().map(Plain::address).toList());
  }

  private void accept(SocketChannel ch) {
    stats.accepted.increment();
    try {
      listener.onAccept();
    } catch (RuntimeException e) {
      log.warn("relay listener failed on accept", e);
    }
    synchronized (drainLock) {
      if (draining) {
        ch.close();
        return;
      }
      if (stats.active.incrementAndGet() > spec.maxConnections()) {
        stats.active.decrementAndGet();
        Failure f = new Failure(FailureKind.OVER_CAPACITY, spec.service() + " is at its limit of "
            + spec.maxConnections() + " connections");
        stats.failed(f);
        failureLine(Level.WARN, "refused", Plain.address(ch.remoteAddress()), f);
        notifyFailure(f);
        ch.close();
        return;
      }
      SslHandler frontTls = null;
      if (spec.mode() == Mode.SERVER) {
        frontTls = tls.current().newHandler(ch.alloc());
        frontTls.setHandshakeTimeoutMillis(spec.timeouts().handshake().toMillis());
      }
      Connection c = new Connection(this, ch, frontTls);
      live.add(c);
      if (frontTls != null) {
        ch.pipeline().addLast("first-bytes", new FirstBytes(c));
        ch.pipeline().addLast("tls", frontTls);
      }
      ch.pipeline().addLast("relay", new SideHandler(c, Side.FRONT));
    }
  }

  /** The address it listens on: with port 0 in the spec, the port the system chose. */
  public InetSocketAddress localAddress() {
    return (InetSocketAddress) server.localAddress();
  }

  public RelaySpec spec() {
    return spec;
  }

  public RelayStats stats() {
    return stats.snapshot();
  }

  /**
   * Stops accepting at once (the port is released), lets live connections finish, and closes
   * those still open after {@code grace}. Idempotent; a later call with a shorter grace
   * shortens it.
   *
   * @return completes when the listener and every connection are closed
   */
  public CompletableFuture<Void> drain(Duration grace) {
    Objects.requireNonNull(grace, "grace");
    boolean first;
    synchronized (drainLock) {
      first = !draining;
      draining = true;
    }
    if (first) {
      log.info("{} stops accepting; draining {} connections (grace {})", spec.service(), live.size(), Plain.duration(grace));
      // Wait for the port to be released (not for the connections): a restart of this
      // service binds the same port right after. Never block an event loop, though.
      var closing = server.close();
      if (!server.eventLoop().inEventLoop()) {
        closing.awaitUninterruptibly(5, TimeUnit.SECONDS);
      }
    }
    if (grace.isZero() || grace.isNegative()) {
      closeAll("the relay was stopped");
    } else {
      groups.workers().schedule(() -> closeAll("the drain period of " + Plain.duration(grace) + " ended"),
          grace.toMillis(), TimeUnit.MILLISECONDS);
    }
    maybeTerminated();
    return terminated;
  }

  /** Stops at once: {@code drain(Duration.ZERO)}, waiting (a few seconds at most) until all is closed. */
  @Override
  public void close() {
    CompletableFuture<Void> done = drain(Duration.ZERO);
    for (var loop : groups.workers()) {
      if (loop.inEventLoop()) {
        return; // connections close on the event loops: never wait on one
      }
    }
    try {
      done.get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("{}: connections still closing after 10 s", spec.service());
    }
  }

  /**
   * Closes the relayed connections that match, e.g. those of a revoked identity.
   *
   * @return how many were closed
   */
  public int disconnect(Predicate<ConnectionInfo> which, String reason) {
    return disconnect(info -> which.test(info) ? Optional.of(reason) : Optional.empty());
  }

  /**
   * Closes each relayed connection for which {@code why} gives a reason (logged as the close
   * reason), e.g. every connection whose peer certificate was just revoked.
   *
   * @return how many were closed
   */
  public int disconnect(Function<ConnectionInfo, Optional<String>> why) {
    int n = 0;
    for (Connection c : live) {
      ConnectionInfo info = c.info();
      Optional<String> reason = info == null ? Optional.empty() : why.apply(info);
      if (reason.isPresent()) {
        c.forceClose(reason.get());
        n++;
      }
    }
    return n;
  }

  /**
   * Closes the connections whose peer certificate the TLS material's revocations now refuse,
   * with the revocation as the reason.
   *
   * @return how many were closed
   */
  public int disconnectRevoked() {
    RevocationCheck check = tls.revocations();
    String who = spec.mode() == Mode.SERVER ? "client " : "server ";
    return disconnect(info -> info.peerCertificate().flatMap(check::refusal).map(why -> who + why));
  }

  /** The revocations connections are checked against (the TLS material's). */
  RevocationCheck revocations() {
    return tls.revocations();
  }

  private void closeAll(String reason) {
    for (Connection c : live) {
      c.forceClose(reason);
    }
  }

  private void maybeTerminated() {
    if (draining && listenerClosed && live.isEmpty()) {
      if (terminated.complete(null)) {
        log.info("{} stopped", spec.service());
      }
    }
  }

  // ---- called by connections, on their event loop --------------------------------------------

  TlsMaterial tls() {
    return tls;
  }

  EventLoopGroups groups() {
    return groups;
  }

  StatsRecorder recorder() {
    return stats;
  }

  /** Failover rr: the connect address a new connection dials first, one further each time. */
  int nextBackend() {
    return Math.floorMod(roundRobin.getAndIncrement(), spec.connect().size());
  }

  void opened(Connection c) {
    stats.opened.increment();
    try {
      listener.onOpen(c.info());
    } catch (RuntimeException e) {
      log.warn("relay listener failed on open", e);
    }
  }

  void failed(Connection c, Failure f) {
    stats.failed(f);
    if (f.kind() == FailureKind.CLOSED_WITHOUT_DATA) {
      // Port checks and load balancers' probes: not worth a line at the default level.
      failureLine(Level.DEBUG, null, Plain.address(c.peer()), f);
      notifyFailure(f);
      return;
    }
    // Server mode refuses clients at the handshake; otherwise the relay could not reach the other end.
    String verb = spec.mode() == Mode.SERVER && f.kind().isHandshake() ? "refused" : "dropped";
    failureLine(Level.WARN, verb, Plain.address(c.peer()), f);
    notifyFailure(f);
  }

  void handshakeDone(long nanos) {
    try {
      listener.onHandshake(nanos);
    } catch (RuntimeException e) {
      log.warn("relay listener failed on a handshake", e);
    }
  }

  void backendConnected(long nanos) {
    try {
      listener.onBackendConnected(nanos);
    } catch (RuntimeException e) {
      log.warn("relay listener failed on a backend connect", e);
    }
  }

  /** "refused 10.0.0.7:51234 on web: client presented no certificate", with the fields for JSON. */
  private void failureLine(Level level, String verb, String peer, Failure f) {
    var line = log.atLevel(level).addKeyValue("event", "connection_failure").addKeyValue("service", spec.service())
        .addKeyValue("peer", peer).addKeyValue("failure", f.kind().key()).addKeyValue("reason", f.reason());
    if (verb == null) {
      line.log("{} on {}: {}", peer, spec.service(), f.reason());
    } else {
      line.log("{} {} on {}: {}", verb, peer, spec.service(), f.reason());
    }
  }

  void finished(Connection c, boolean wasOpen, long bytesIn, long bytesOut) {
    live.remove(c);
    stats.active.decrementAndGet();
    if (wasOpen) {
      try {
        listener.onClose(c.info(), bytesIn, bytesOut);
      } catch (RuntimeException e) {
        log.warn("relay listener failed on close", e);
      }
    }
    maybeTerminated();
  }

  private void notifyFailure(Failure f) {
    try {
      listener.onFailure(f.kind(), f.reason());
    } catch (RuntimeException e) {
      log.warn("relay listener failed on a failure report", e);
    }
  }
}
