package io.adit.agent.relay;

import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.adit.agent.tls.Provider;
import io.adit.agent.tls.RevocationCheck;
import io.adit.agent.tls.TestPki;
import io.adit.agent.tls.TlsContexts;
import io.adit.agent.tls.TlsMaterial;
import io.adit.agent.tls.Verify;
import io.netty.handler.ssl.SslContext;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.LoggerFactory;

/**
 * What relay tests share: one CA with a server and client certificates, one set of event loops,
 * and everything started by a test, closed after it (newest first).
 */
final class RelayFixture implements AutoCloseable {
  static {
    // Netty's debug logging would drown the relay's own lines in the test output.
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.INFO);
  }

  static final TestPki.Ca CA = TestPki.newCa("Adit Test CA");
  static final TestPki.Leaf SERVICE1 = CA.server("service1");
  static final TestPki.Leaf CLIENT1 = CA.client("client1");
  static final TestPki.Leaf CLIENT2 = CA.client("client2");

  final EventLoopGroups groups;
  private final Deque<AutoCloseable> toClose = new ArrayDeque<>();

  RelayFixture() {
    this(System.getProperty("adit.test.transport") == null ? null
        : EventLoopGroups.Transport.valueOf(System.getProperty("adit.test.transport")));
  }

  /** With the given transport, or the best one here when null. */
  RelayFixture(EventLoopGroups.Transport transport) {
    groups = transport == null ? EventLoopGroups.create(2) : EventLoopGroups.create(transport, 2);
  }

  static InetSocketAddress anyLoopbackPort() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
  }

  /** A server-mode spec for service1 on a random port, relaying to {@code backend}. */
  static RelaySpec.Builder serverSpec(InetSocketAddress... backends) {
    return RelaySpec.server("service1").accept(anyLoopbackPort()).connect(backends);
  }

  static SslContext serverContext(Verify verify, Provider provider) {
    return serverContext(verify, "1.2", provider);
  }

  static SslContext serverContext(Verify verify, String minTls, Provider provider) {
    return TlsContexts.forServer(SERVICE1.key(), SERVICE1.chain(), CA.trust(), verify, minTls, provider);
  }

  Relay start(RelaySpec spec, TlsMaterial tls, RelayListener listener) throws RelayBindException {
    return closeLater(Relay.start(spec, tls, groups, listener));
  }

  /** A server-mode relay whose context does what {@code spec} says, as the agent builds it. */
  Relay startServer(RelaySpec spec, Provider provider, RelayListener listener) throws RelayBindException {
    SslContext context = TlsContexts.forServer(SERVICE1.key(), SERVICE1.chain(), CA.trust(), spec.verify(),
        spec.minTlsVersion(), provider, RevocationCheck.NONE, spec.tlsChoices());
    return start(spec, () -> context, listener);
  }

  <T extends AutoCloseable> T closeLater(T resource) {
    toClose.push(resource);
    return resource;
  }

  /** Waits until the relay has no connection left (they close asynchronously). */
  static void awaitIdle(Relay relay) {
    await().atMost(Duration.ofSeconds(10)).until(() -> relay.stats().activeConnections() == 0);
  }

  @Override
  public void close() {
    Exception first = null;
    while (!toClose.isEmpty()) {
      try {
        toClose.pop().close();
      } catch (Exception e) {
        first = first == null ? e : first;
      }
    }
    groups.close();
    if (first != null) {
      throw new IllegalStateException("closing a test resource failed", first);
    }
  }
}
