package io.adit.agent.relay;

import io.adit.agent.relay.RelaySpec.Mode;
import io.adit.agent.tls.Verify;
import io.adit.common.pki.SpiffeId;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection through a relay, from accept to close: the whole lifecycle in one place.
 *
 * <pre>
 *   HANDSHAKING ──(TLS done, authorized)──▶ CONNECTING ──(backend up [+ TLS])──▶ RELAYING ──▶ CLOSED
 *        │ (server mode only)                   │ (next address on refusal/timeout)   │
 *        └────── refused: reason logged, listener told, connection closed ──────────────┘
 * </pre>
 *
 * <p>Threading: the backend channel is registered on the client channel's event loop, so every
 * method here runs on that one thread and no field needs synchronization. {@link #forceClose}
 * is the only entry point for other threads and hops onto the loop.
 *
 * <p>Backpressure: both channels start with auto-read off; reading starts once the backend is
 * up, stops on one side whenever the other side's outbound buffer passes the high-water mark,
 * and resumes when it drains (channelWritabilityChanged). So a connection buffers at most about
 * one high-water mark plus a few reads per direction, however fast one side and slow the other.
 * One exception, from Netty's epoll transport: once a peer's FIN arrives, it reads that socket
 * until end of stream whatever auto-read says, so what the kernel had buffered (at most the TCP
 * receive buffer) moves into the relay at once and waits there for the slower side.
 *
 * <p>Half-close: end of input on one side (TCP FIN, or TLS close_notify) becomes, once the
 * bytes already read are flushed, a shutdown of output on the other side. The connection closes
 * when both directions have ended, or when either socket closes (after flushing what the other
 * side still has to write). Towards a TLS client (server mode) the end is close_notify then
 * FIN, the clean end of stream TLS clients expect. Towards a TLS server (client mode) it is a
 * FIN alone, as ncat sends: Netty's BoringSSL engine, which Adit's server relays use, answers a
 * received close_notify by closing its own sending side too, so a close_notify would cut off
 * the server's reply. For the same reason, with BoringSSL a close_notify from the peer ends
 * both directions; a FIN from the peer keeps the other direction open on both providers.
 */
final class Connection {
  private static final Logger log = LoggerFactory.getLogger(Connection.class);

  enum State { HANDSHAKING, CONNECTING, RELAYING, CLOSED }

  enum Side { FRONT, BACK }

  private final Relay relay;
  private final RelaySpec spec;
  private final Channel front;
  private final SslHandler frontTls;
  private final long startNanos = System.nanoTime();
  private long dialNanos;
  private final InetSocketAddress peer;

  private State state;
  private Channel back;
  private SslHandler backTls;
  private InetSocketAddress backend;
  private String identity = "-";
  private X509Certificate peerCertificate;
  private volatile ConnectionInfo info; // read by other threads: disconnect(), stats
  private List<Object> early;
  private List<String> dialFailures;
  private long bytesIn;
  private long bytesOut;
  private long rawBytesFromClient;
  private byte[] firstBytes;
  private boolean frontInputDone;
  private boolean backInputDone;
  private boolean frontOutputDone;
  private boolean backOutputDone;
  private int outputsShut;
  private boolean frontClosed;
  private boolean backClosed;
  private Failure failure;
  private String closeReason;
  /** Set once the relay itself decided to close (failure, drain, idle, both directions done). */
  private boolean closing;
  /** The side whose TLS engine can send no more (it answered a close_notify), or null. */
  private Side tlsSendingClosed;
  /** Index of the connect address dialed first: 0, or the relay's next one with failover rr. */
  private final int firstBackend;

  Connection(Relay relay, Channel front, SslHandler frontTls) {
    this.relay = relay;
    this.spec = relay.spec();
    this.firstBackend = spec.failover() == RelaySpec.Failover.RR ? relay.nextBackend() : 0;
    this.front = front;
    this.frontTls = frontTls;
    this.peer = (InetSocketAddress) front.remoteAddress();
    this.state = spec.mode() == Mode.SERVER ? State.HANDSHAKING : State.CONNECTING;
    if (frontTls != null) {
      frontTls.handshakeFuture().addListener(this::onFrontHandshake);
    }
    front.closeFuture().addListener(f -> inactive(Side.FRONT));
  }

  // ---- events, all on the event loop ------------------------------------------------------

  void active(Side side) {
    if (side == Side.FRONT) {
      if (spec.mode() == Mode.SERVER) {
        front.read(); // drives the handshake; SslHandler keeps reading until it is done
      } else {
        dial(0);
      }
    }
  }

  /** Raw bytes from the client before TLS decoding (server mode): for plain reasons. */
  void rawFromClient(ByteBuf raw) {
    if (firstBytes == null && raw.isReadable()) {
      firstBytes = new byte[Math.min(8, raw.readableBytes())];
      raw.getBytes(raw.readerIndex(), firstBytes);
    }
    rawBytesFromClient += raw.readableBytes();
  }

  void read(Side from, Object msg) {
    if (state == State.RELAYING) {
      forward(from, msg);
    } else if (from == Side.FRONT && state != State.CLOSED) {
      // Data that came with the end of the handshake, before the backend is up. Auto-read is
      // off, so this is at most one read's worth.
      if (early == null) {
        early = new ArrayList<>(2);
      }
      early.add(msg);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  void readComplete(Side from) {
    if (state == State.RELAYING) {
      Channel to = channel(other(from));
      if (to != null) {
        to.flush();
      }
    }
  }

  void writabilityChanged(Side side) {
    Channel ch = channel(side);
    Side reader = other(side);
    Channel readerChannel = channel(reader);
    if (state == State.RELAYING && ch.isWritable() && readerChannel != null && !inputDone(reader)
        && !readerChannel.config().isAutoRead()) {
      readerChannel.config().setAutoRead(true);
    }
  }

  /** End of input on one side: TCP FIN, or a TLS close_notify. */
  void inputShutdown(Side side, boolean closeNotify) {
    if (closeNotify) {
      SslHandler tls = tls(side);
      if (tls != null && tls.engine().isOutboundDone()) {
        // BoringSSL answered the close_notify with its own: nothing more can be sent that way.
        tlsSendingClosed = side;
      }
    }
    if (inputDone(side) || state == State.CLOSED) {
      return;
    }
    if (side == Side.FRONT) {
      frontInputDone = true;
    } else {
      backInputDone = true;
    }
    switch (state) {
      case RELAYING -> shutdownOutput(other(side));
      case HANDSHAKING -> fail(rawBytesFromClient == 0
          ? new Failure(FailureKind.CLOSED_WITHOUT_DATA, "client closed the connection before sending anything")
          : new Failure(FailureKind.HANDSHAKE_ABORTED, "client closed the connection during the TLS handshake"));
      default -> { } // CONNECTING: startRelaying() passes the end on once the backend is up
    }
  }

  void idle() {
    if (state == State.RELAYING) {
      closeReason = "idle for " + Plain.duration(spec.timeouts().idle());
      closeNow();
    }
  }

  void exception(Side side, Throwable cause) {
    SslHandler tls = tls(side);
    if (tls != null && !tls.handshakeFuture().isDone()) {
      return; // the handshake future reports it, with a better reason
    }
    if (closeReason == null && failure == null) {
      closeReason = Failures.io(side == Side.FRONT ? "client" : spec.mode() == Mode.SERVER ? "backend" : "server", cause);
    }
    log.debug("{} on {}: {} side failed", peer, spec.service(), side, cause);
    Channel ch = channel(side);
    if (ch != null) {
      ch.close();
    }
  }

  void inactive(Side side) {
    if (side == Side.FRONT) {
      if (frontClosed) {
        return;
      }
      frontClosed = true;
    } else {
      if (backClosed) {
        return;
      }
      backClosed = true;
    }
    Channel other = channel(other(side));
    if (other != null && other.isOpen()) {
      if (state == State.RELAYING) {
        // What was read from the closed side still reaches the other one, then it closes too;
        // a peer that stops reading does not keep it open for longer than the linger time.
        other.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        var linger = other.eventLoop().schedule(() -> other.close(), lingerMillis(), TimeUnit.MILLISECONDS);
        other.closeFuture().addListener(f -> linger.cancel(false));
      } else {
        other.close();
      }
    }
    if (frontClosed && (back == null || backClosed)) {
      finish();
    }
  }

  /** From any thread: closes now, whatever the state (a drain that ran out of time, a revocation). */
  void forceClose(String reason) {
    front.eventLoop().execute(() -> {
      if (state != State.CLOSED) {
        if (closeReason == null) {
          closeReason = reason;
        }
        closeNow();
      }
    });
  }

  // ---- server mode: handshake and authorization -------------------------------------------

  private void onFrontHandshake(Future<? super Channel> f) {
    if (state != State.HANDSHAKING) {
      return;
    }
    if (!f.isSuccess()) {
      fail(Failures.handshake(f.cause(), "client", true, rawBytesFromClient, firstBytes, spec.timeouts().handshake()));
      return;
    }
    relay.handshakeDone(System.nanoTime() - startNanos);
    front.pipeline().remove(FirstBytes.class);
    Failure denied = authorize();
    if (denied != null) {
      fail(denied);
      return;
    }
    dial(0);
  }

  /** Who the client is and whether it may pass; null when it may. */
  private Failure authorize() {
    String protocol = frontTls.engine().getSession().getProtocol();
    if ("1.3".equals(spec.minTlsVersion()) && !"TLSv1.3".equals(protocol)) {
      // The context should not have offered it; the spec is what the operator declared.
      return new Failure(FailureKind.PROTOCOL_MISMATCH, "client used " + protocol + ", but " + spec.service()
          + " requires TLS 1.3");
    }
    if (spec.verify() != Verify.NONE) {
      // With verify none no certificate is asked for: asking the session would throw (and fill
      // in a stack trace) on every connection.
      peerCertificate = leaf(frontTls);
      identity = peerCertificate == null ? identity : identityOf(peerCertificate);
    }
    if (peerCertificate == null && (spec.verify() == Verify.REQUIRE || !spec.allow().isEmpty())) {
      return new Failure(FailureKind.NO_CLIENT_CERTIFICATE, "client presented no certificate");
    }
    if (!spec.allow().isEmpty() && !spec.allow().contains(identity)) {
      return new Failure(FailureKind.IDENTITY_NOT_ALLOWED, "identity " + identity + " is not allowed on " + spec.service());
    }
    return null;
  }

  /** The peer's leaf certificate after a successful handshake, or null. */
  private static X509Certificate leaf(SslHandler tls) {
    try {
      Certificate[] chain = tls.engine().getSession().getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof X509Certificate x ? x : null;
    } catch (SSLPeerUnverifiedException none) {
      return null;
    }
  }

  /** The client identity name for {@code spiffe://td/client/NAME}; kind/name or the subject otherwise. */
  static String identityOf(X509Certificate cert) {
    return SpiffeId.of(cert)
        .map(id -> id.kind() == SpiffeId.Kind.CLIENT ? id.name() : id.kind().segment() + "/" + id.name())
        .orElseGet(() -> cert.getSubjectX500Principal().getName());
  }

  // ---- dialing ------------------------------------------------------------------------------

  /** The address of the {@code attempt}-th dial (0 first): in order, from {@link #firstBackend}. */
  private InetSocketAddress backend(int attempt) {
    return spec.connect().get((firstBackend + attempt) % spec.connect().size());
  }

  private void dial(int index) {
    state = State.CONNECTING;
    InetSocketAddress address = backend(index);
    Duration timeout = spec.timeouts().connect();
    Bootstrap b = new Bootstrap()
        .group(front.eventLoop())
        .channel(relay.groups().channelType())
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
        .option(ChannelOption.AUTO_READ, false)
        .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.SO_KEEPALIVE, true)
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, Relay.WATER_MARK)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            if (spec.mode() == Mode.CLIENT) {
              SslHandler tls = relay.tls().current().newHandler(ch.alloc(), spec.serverName(), address.getPort());
              tls.setHandshakeTimeoutMillis(spec.timeouts().handshake().toMillis());
              ch.pipeline().addLast("tls", tls);
            }
            if (spec.proxyProtocol() != RelaySpec.ProxyProtocol.NONE) {
              ch.pipeline().addLast("proxy-protocol", HAProxyMessageEncoder.INSTANCE);
            }
            ch.pipeline().addLast("relay", new SideHandler(Connection.this, Side.BACK));
          }
        });
    dialNanos = System.nanoTime();
    b.connect(address).addListener((ChannelFuture f) -> onConnect(f, index, address));
  }

  private void onConnect(ChannelFuture f, int index, InetSocketAddress address) {
    if (state == State.CLOSED || frontClosed) {
      f.channel().close();
      return;
    }
    if (!f.isSuccess()) {
      Failure why = Failures.connect(f.cause(), spec.mode() == Mode.SERVER ? "backend" : "server", address,
          spec.timeouts().connect());
      if (dialFailures == null) {
        dialFailures = new ArrayList<>(spec.connect().size());
      }
      dialFailures.add(why.reason());
      if (index + 1 < spec.connect().size()) {
        log.atInfo().addKeyValue("event", "connection_retry").addKeyValue("service", spec.service())
            .addKeyValue("peer", Plain.address(peer)).addKeyValue("failure", why.kind().key())
            .addKeyValue("reason", why.reason()).addKeyValue("next", Plain.address(backend(index + 1)))
            .log("{} on {}: {}; trying {}", Plain.address(peer), spec.service(), why.reason(),
                Plain.address(backend(index + 1)));
        dial(index + 1);
      } else {
        fail(dialFailures.size() == 1 ? why
            : new Failure(why.kind(), "no " + (spec.mode() == Mode.SERVER ? "backend" : "server") + " answered: "
                + String.join("; ", dialFailures)));
      }
      return;
    }
    long connected = System.nanoTime();
    relay.backendConnected(connected - dialNanos);
    back = f.channel();
    backend = address;
    back.closeFuture().addListener(c -> inactive(Side.BACK));
    if (spec.mode() == Mode.CLIENT) {
      backTls = back.pipeline().get(SslHandler.class);
      backTls.handshakeFuture().addListener(h -> {
        if (state != State.CONNECTING || frontClosed) {
          return; // the client left first: that is not a failure of the server
        }
        if (h.isSuccess()) {
          relay.handshakeDone(System.nanoTime() - connected);
          peerCertificate = leaf(backTls);
          startRelaying();
        } else {
          fail(Failures.handshake(h.cause(), "server " + Plain.address(address), false, 1, null,
              spec.timeouts().handshake()));
        }
      });
    } else {
      if (spec.proxyProtocol() != RelaySpec.ProxyProtocol.NONE) {
        // First on the wire, before anything the client sent.
        back.writeAndFlush(ProxyHeader.of(spec.proxyProtocol(), peer, (InetSocketAddress) front.localAddress(),
            frontTls.engine().getSession().getProtocol(), identity, peerCertificate));
      }
      startRelaying();
    }
  }

  // ---- relaying -----------------------------------------------------------------------------

  private void startRelaying() {
    state = State.RELAYING;
    info = new ConnectionInfo(spec.service(), peer, identity, backend, Optional.ofNullable(peerCertificate));
    // Asked again now that info is visible: a revocation that came after the handshake checked
    // the certificate, but before info was set, is caught here; any later one by disconnect().
    Optional<String> revoked = peerCertificate == null ? Optional.empty() : relay.revocations().refusal(peerCertificate);
    if (revoked.isPresent()) {
      fail(new Failure(FailureKind.CERTIFICATE_REVOKED,
          (spec.mode() == Mode.SERVER ? "client " : "server ") + revoked.get()));
      return;
    }
    relay.opened(this);
    log.atInfo().addKeyValue("event", "connection_open").addKeyValue("service", spec.service())
        .addKeyValue("peer", Plain.address(peer)).addKeyValue("identity", identity)
        .addKeyValue("backend", Plain.address(backend))
        .log("opened {} ({}) on {} to {}", Plain.address(peer), identity, spec.service(), Plain.address(backend));
    Duration idle = spec.timeouts().idle();
    if (!idle.isZero()) {
      // Idle means no progress either way: reads, writes, or a slow reader draining our buffer.
      front.pipeline().addBefore("relay", "idle", new IdleStateHandler(true, 0, 0, idle.toMillis(), TimeUnit.MILLISECONDS));
    }
    if (early != null) {
      List<Object> pending = early;
      early = null;
      for (Object msg : pending) {
        forward(Side.FRONT, msg);
      }
      back.flush();
    }
    if (frontInputDone) {
      shutdownOutput(Side.BACK);
    } else {
      front.config().setAutoRead(back.isWritable());
    }
    back.config().setAutoRead(front.isWritable());
  }

  private void forward(Side from, Object msg) {
    Side toSide = other(from);
    Channel to = channel(toSide);
    if (tlsSendingClosed == toSide) {
      ReferenceCountUtil.release(msg);
      if (closeReason == null) {
        closeReason = (toSide == Side.FRONT ? "client" : "server") + " ended TLS with close_notify while "
            + (toSide == Side.FRONT ? "the backend" : "the client") + " was still sending";
      }
      closeNow();
      return;
    }
    long n = msg instanceof ByteBuf buf ? buf.readableBytes() : msg instanceof ByteBufHolder h ? h.content().readableBytes() : 0;
    if (from == Side.FRONT) {
      bytesIn += n;
      relay.recorder().bytesIn.add(n);
    } else {
      bytesOut += n;
      relay.recorder().bytesOut.add(n);
    }
    // A failed write (the peer reset, the TLS side already closed) fires exceptionCaught.
    to.write(msg, to.voidPromise());
    ChannelOutboundBuffer buffer = to.unsafe().outboundBuffer();
    if (buffer != null) {
      relay.recorder().buffered(buffer.totalPendingWriteBytes());
    }
    Channel fromChannel = channel(from);
    if (!to.isWritable() && fromChannel.config().isAutoRead()) {
      fromChannel.config().setAutoRead(false);
      relay.recorder().pauses.increment();
    }
  }

  /** Ends output towards {@code side} once everything already written there is flushed. */
  private void shutdownOutput(Side side) {
    if (side == Side.FRONT ? frontOutputDone : backOutputDone) {
      return;
    }
    if (side == Side.FRONT) {
      frontOutputDone = true;
    } else {
      backOutputDone = true;
    }
    Channel ch = channel(side);
    // close_notify towards TLS clients only: see the class comment.
    SslHandler tls = side == Side.FRONT ? frontTls : null;
    if (tlsSendingClosed == side) {
      tls = null;
    }
    SslHandler closeNotify = tls;
    ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(flushed -> {
      if (!flushed.isSuccess() || !ch.isOpen()) {
        return; // the close path takes over
      }
      if (closeNotify != null) {
        closeNotify.closeOutbound().addListener(notified -> shutdownSocketOutput(ch));
      } else {
        shutdownSocketOutput(ch);
      }
    });
  }

  private void shutdownSocketOutput(Channel ch) {
    if (!ch.isOpen()) {
      return;
    }
    ((DuplexChannel) ch).shutdownOutput().addListener(done -> {
      outputsShut++;
      if (outputsShut == 2 && frontInputDone && backInputDone) {
        closeNow(); // both directions ended cleanly
      }
    });
  }

  // ---- ending -------------------------------------------------------------------------------

  private void fail(Failure f) {
    if (state == State.CLOSED || failure != null || closing) {
      return; // already failed, or we are closing it ourselves (drain, idle): not the peer's failure
    }
    failure = f;
    relay.failed(this, f);
    closeNow();
  }

  private void closeNow() {
    closing = true;
    front.close();
    if (back != null) {
      back.close();
    }
  }

  private void finish() {
    if (state == State.CLOSED) {
      return;
    }
    boolean wasOpen = info != null;
    state = State.CLOSED;
    if (early != null) {
      early.forEach(ReferenceCountUtil::release);
      early = null;
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    if (wasOpen) {
      // The text line as people read it; the key-value pairs are fields of the JSON line.
      log.atInfo().addKeyValue("event", "connection_close").addKeyValue("service", spec.service())
          .addKeyValue("peer", Plain.address(peer)).addKeyValue("identity", identity)
          .addKeyValue("backend", Plain.address(backend)).addKeyValue("bytes_in", bytesIn)
          .addKeyValue("bytes_out", bytesOut).addKeyValue("duration_ms", millis)
          .addKeyValue("close_reason", closeReason == null ? "finished" : closeReason)
          .log("closed {} ({}) on {} to {}: {} bytes in, {} bytes out, {}{}", Plain.address(peer), identity,
              spec.service(), Plain.address(backend), bytesIn, bytesOut, Plain.duration(Duration.ofMillis(millis)),
              closeReason == null ? "" : " (" + closeReason + ")");
    } else if (failure == null) {
      log.atDebug().addKeyValue("event", "connection_abandoned").addKeyValue("service", spec.service())
          .addKeyValue("peer", Plain.address(peer)).addKeyValue("duration_ms", millis)
          .log("{} left {} after {} before the connection was set up", Plain.address(peer), spec.service(),
              Plain.duration(Duration.ofMillis(millis)));
    }
    relay.finished(this, wasOpen, bytesIn, bytesOut);
  }

  // ---- helpers ------------------------------------------------------------------------------

  ConnectionInfo info() {
    return info;
  }

  InetSocketAddress peer() {
    return peer;
  }

  private boolean inputDone(Side side) {
    return side == Side.FRONT ? frontInputDone : backInputDone;
  }

  /**
   * How long a connection whose one side closed may take to flush the rest to the other side:
   * the idle timeout, or one minute without one.
   */
  private long lingerMillis() {
    Duration idle = spec.timeouts().idle();
    return idle.isZero() ? 60_000 : idle.toMillis();
  }

  private SslHandler tls(Side side) {
    return side == Side.FRONT ? frontTls : backTls;
  }

  private Channel channel(Side side) {
    return side == Side.FRONT ? front : back;
  }

  private static Side other(Side side) {
    return side == Side.FRONT ? Side.BACK : Side.FRONT;
  }
}
