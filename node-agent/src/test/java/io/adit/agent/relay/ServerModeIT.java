package io.adit.agent.relay;

import static io.adit.agent.relay.RelayFixture.CA;
import static io.adit.agent.relay.RelayFixture.CLIENT1;
import static io.adit.agent.relay.RelayFixture.CLIENT2;
import static io.adit.agent.relay.RelayFixture.awaitIdle;
import static io.adit.agent.relay.RelayFixture.serverSpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.adit.agent.tls.Provider;
import io.adit.agent.tls.TestPki;
import io.adit.agent.tls.Verify;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/** A server-mode relay on loopback: TLS in, plaintext to a real backend socket. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServerModeIT {
  private RelayFixture fixture;
  private TcpBackend echo;
  private final RecordingListener listener = new RecordingListener();

  @BeforeEach
  void setUp() throws Exception {
    fixture = new RelayFixture();
    echo = fixture.closeLater(TcpBackend.echo());
  }

  @AfterEach
  void tearDown() throws Exception {
    fixture.close();
  }

  @ParameterizedTest
  @EnumSource(Provider.class)
  void echoesForClientWithRequiredCertificateOverTls13(Provider provider) throws Exception {
    Relay relay = fixture.startServer(serverSpec(echo.address()).verify(Verify.REQUIRE).build(), provider, listener);

    try (SSLSocket client = TlsClient.connect(relay.localAddress().getPort(), CA, CLIENT1, "service1")) {
      assertThat(client.getSession().getProtocol()).isEqualTo("TLSv1.3");
      assertThat(TlsClient.roundTrip(client, "hello")).isEqualTo("hello");
      assertThat(TlsClient.roundTrip(client, "again")).isEqualTo("again");
    }

    awaitIdle(relay);
    assertThat(listener.opened).singleElement().satisfies(info -> {
      assertThat(info.identity()).isEqualTo("client1");
      assertThat(info.backend()).isEqualTo(echo.address());
    });
    RelayStats stats = relay.stats();
    assertThat(stats.openedTotal()).isEqualTo(1);
    assertThat(stats.bytesIn()).isEqualTo(10);
    assertThat(stats.bytesOut()).isEqualTo(10);
    assertThat(listener.failures).isEmpty();
  }

  @Test
  void verifyNoneLetsClientWithoutCertificateIn() throws Exception {
    Relay relay = fixture.startServer(serverSpec(echo.address()).verify(Verify.NONE).build(), Provider.best(), listener);

    try (SSLSocket client = TlsClient.connect(relay.localAddress().getPort(), CA, null, "service1")) {
      assertThat(TlsClient.roundTrip(client, "no cert needed")).isEqualTo("no cert needed");
    }
    await().until(() -> listener.opened.size() == 1);
    assertThat(listener.opened.get(0).identity()).isEqualTo("-");
  }

  @Test
  void verifyOptionalChecksIdentityOnlyWhenPresented() throws Exception {
    Relay relay = fixture.startServer(serverSpec(echo.address()).verify(Verify.OPTIONAL).build(), Provider.best(), listener);
    int port = relay.localAddress().getPort();

    try (SSLSocket anonymous = TlsClient.connect(port, CA, null, "service1");
        SSLSocket named = TlsClient.connect(port, CA, CLIENT2, "service1")) {
      assertThat(TlsClient.roundTrip(anonymous, "a")).isEqualTo("a");
      assertThat(TlsClient.roundTrip(named, "b")).isEqualTo("b");
    }
    await().until(() -> listener.opened.size() == 2);
    assertThat(listener.opened).extracting(ConnectionInfo::identity).containsExactlyInAnyOrder("-", "client2");
  }

  static Stream<Arguments> refusedClients() {
    TestPki.Ca foreign = TestPki.newCa("Other CA");
    Function<Provider, Arguments[]> cases = p -> new Arguments[] {
        Arguments.of(p, "no certificate", null, FailureKind.NO_CLIENT_CERTIFICATE, "client presented no certificate"),
        Arguments.of(p, "expired", CA.expiredClient("client1"), FailureKind.CERTIFICATE_EXPIRED, "client certificate expired at "),
        Arguments.of(p, "foreign CA", foreign.client("client1"), FailureKind.UNKNOWN_CA,
            "client certificate was issued by an unknown CA (CN=Other CA)"),
        Arguments.of(p, "not allowed", CLIENT2, FailureKind.IDENTITY_NOT_ALLOWED, "identity client2 is not allowed on service1"),
    };
    return Stream.of(Provider.values()).flatMap(p -> Stream.of(cases.apply(p)));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("refusedClients")
  void refusesBadClientWithPlainReasonAndKeepsServing(Provider provider, String label, TestPki.Leaf cert,
      FailureKind kind, String reason) throws Exception {
    Relay relay = fixture.startServer(serverSpec(echo.address()).verify(Verify.REQUIRE).allow("client1").build(),
        provider, listener);
    int port = relay.localAddress().getPort();

    try (SSLSocket bad = connectOrNull(port, cert)) {
      if (bad != null) {
        // TLS 1.3: the client finishes its side of the handshake before the server judges it.
        assertThat(TlsClient.endedByServer(bad)).isTrue();
      }
    }

    await().until(() -> !listener.failures.isEmpty());
    assertThat(listener.failures).singleElement().asString().startsWith(reason);
    assertThat(relay.stats().failures(kind)).isEqualTo(1);
    assertThat(relay.stats().lastFailure()).hasValueSatisfying(r -> assertThat(r).startsWith(reason));
    assertThat(echo.accepted).hasValue(0); // refused before the backend was dialed

    try (SSLSocket good = TlsClient.connect(port, CA, CLIENT1, "service1")) {
      assertThat(TlsClient.roundTrip(good, "still serving")).isEqualTo("still serving");
    }
  }

  private static SSLSocket connectOrNull(int port, TestPki.Leaf cert) {
    try {
      return TlsClient.connect(port, CA, cert, "service1");
    } catch (java.io.IOException refusedInHandshake) {
      return null;
    }
  }

  @ParameterizedTest
  @EnumSource(Provider.class)
  void plaintextToTlsPortIsReportedAsPlaintext(Provider provider) throws Exception {
    Relay relay = fixture.startServer(serverSpec(echo.address()).build(), provider, listener);

    try (Socket plain = plainConnect(relay.localAddress().getPort())) {
      plain.getOutputStream().write("GET / HTTP/1.1\r\nHost: service1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(TlsClient.endedByServer(plain)).isTrue();
    }

    await().until(() -> !listener.failures.isEmpty());
    assertThat(listener.failures).containsExactly("client sent plaintext to a TLS port");
    assertThat(relay.stats().failures(FailureKind.PLAINTEXT)).isEqualTo(1);
    assertThat(echo.accepted).hasValue(0);
  }

  @Test
  void randomBytesAreReportedAsNotTls() throws Exception {
    Relay relay = fixture.startServer(serverSpec(echo.address()).build(), Provider.best(), listener);

    try (Socket plain = plainConnect(relay.localAddress().getPort())) {
      byte[] noise = new byte[64];
      new java.util.Random(42).nextBytes(noise);
      noise[0] = (byte) 0x99; // not a TLS record type
      plain.getOutputStream().write(noise);
      assertThat(TlsClient.endedByServer(plain)).isTrue();
    }

    await().until(() -> !listener.failures.isEmpty());
    assertThat(listener.failures).containsExactly("client sent data that is not TLS");
  }

  @Test
  void silentClientIsFreedByHandshakeTimeout() throws Exception {
    RelaySpec spec = serverSpec(echo.address())
        .timeouts(RelaySpec.Timeouts.DEFAULT.withHandshake(Duration.ofMillis(300))).build();
    Relay relay = fixture.startServer(spec, Provider.best(), listener);

    try (Socket silent = plainConnect(relay.localAddress().getPort())) {
      await().until(() -> relay.stats().activeConnections() == 1);
      assertThat(TlsClient.endedByServer(silent)).isTrue();
    }

    assertThat(listener.failures).containsExactly("client sent nothing for 300 ms (handshake timeout)");
    awaitIdle(relay);
  }

  @Test
  void refusedBackendIsNamedAndClientConnectionClosed() throws Exception {
    InetSocketAddress dead = unusedPort();
    Relay relay = fixture.startServer(serverSpec(dead).build(), Provider.best(), listener);

    try (SSLSocket client = TlsClient.connect(relay.localAddress().getPort(), CA, CLIENT1, "service1")) {
      client.getOutputStream().write("anyone there?".getBytes(StandardCharsets.US_ASCII));
      assertThat(TlsClient.endedByServer(client)).isTrue();
    }

    await().until(() -> !listener.failures.isEmpty());
    assertThat(listener.failures).containsExactly("backend 127.0.0.1:" + dead.getPort() + " refused the connection");
    assertThat(relay.stats().failures(FailureKind.BACKEND_REFUSED)).isEqualTo(1);
    awaitIdle(relay);
  }

  @Test
  void failsOverToSecondConnectAddress() throws Exception {
    InetSocketAddress dead = unusedPort();
    Relay relay = fixture.startServer(serverSpec(dead, echo.address()).build(), Provider.best(), listener);

    try (SSLSocket client = TlsClient.connect(relay.localAddress().getPort(), CA, CLIENT1, "service1")) {
      assertThat(TlsClient.roundTrip(client, "via the second")).isEqualTo("via the second");
    }
    await().until(() -> listener.opened.size() == 1);
    assertThat(listener.opened.get(0).backend()).isEqualTo(echo.address());
    assertThat(listener.failures).isEmpty();
  }

  @Test
  void roundRobinStartsEachConnectionAtTheNextAddressAndStillFailsOver() throws Exception {
    TcpBackend second = fixture.closeLater(TcpBackend.echo());
    InetSocketAddress dead = unusedPort();
    Relay relay = fixture.startServer(serverSpec(echo.address(), second.address(), dead)
        .failover(RelaySpec.Failover.RR).build(), Provider.best(), listener);

    for (int i = 0; i < 3; i++) {
      try (SSLSocket client = TlsClient.connect(relay.localAddress().getPort(), CA, CLIENT1, "service1")) {
        assertThat(TlsClient.roundTrip(client, "connection " + i)).isEqualTo("connection " + i);
      }
      int opened = i + 1;
      await().until(() -> listener.opened.size() == opened);
    }
    // first, second, then the dead one's turn: refused, so the one after it in order (the first)
    assertThat(listener.opened).extracting(ConnectionInfo::backend)
        .containsExactly(echo.address(), second.address(), echo.address());
    assertThat(listener.failures).isEmpty();
  }

  /** How a client says it is done sending. */
  enum Ending { FIN_LIKE_NCAT, CLOSE_NOTIFY }

  static Stream<Arguments> halfCloses() {
    // Not (OPENSSL, CLOSE_NOTIFY): Netty's BoringSSL engine answers a close_notify by closing
    // its own sending side, so nothing can follow it (see Connection).
    return Stream.of(Arguments.of(Provider.OPENSSL, Ending.FIN_LIKE_NCAT), Arguments.of(Provider.JDK, Ending.FIN_LIKE_NCAT),
        Arguments.of(Provider.JDK, Ending.CLOSE_NOTIFY));
  }

  @ParameterizedTest(name = "{0}, client ends with {1}")
  @MethodSource("halfCloses")
  void clientHalfCloseStillGetsBackendReply(Provider provider, Ending ending) throws Exception {
    TcpBackend replier = fixture.closeLater(TcpBackend.replyAfterEof());
    Relay relay = fixture.startServer(serverSpec(replier.address()).build(), provider, listener);

    try (Socket plain = TlsClient.plainSocket(relay.localAddress().getPort());
        SSLSocket client = TlsClient.over(plain, CA, CLIENT1, "service1", "TLSv1.3")) {
      OutputStream out = client.getOutputStream();
      out.write("twelve bytes".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      if (ending == Ending.CLOSE_NOTIFY) {
        client.shutdownOutput();
      } else {
        plain.shutdownOutput();
      }

      assertThat(TlsClient.readAll(client)).isEqualTo("got 12 bytes");
    }
    awaitIdle(relay);
    assertThat(listener.failures).isEmpty();
    assertThat(replier.errors).isEmpty();
  }

  @Test
  void backendHalfCloseReachesClientWhichCanStillSend() throws Exception {
    TcpBackend greeter = fixture.closeLater(TcpBackend.start(s -> {
      s.getOutputStream().write("welcome".getBytes(StandardCharsets.US_ASCII));
      s.shutdownOutput(); // the backend is done talking, not listening
      String heard = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      if (!heard.equals("thanks")) {
        throw new java.io.IOException("backend heard " + heard);
      }
    }));
    Relay relay = fixture.startServer(serverSpec(greeter.address()).build(), Provider.best(), listener);

    try (SSLSocket client = TlsClient.connect(relay.localAddress().getPort(), CA, CLIENT1, "service1")) {
      assertThat(TlsClient.readAll(client)).isEqualTo("welcome");
      client.getOutputStream().write("thanks".getBytes(StandardCharsets.US_ASCII));
      client.getOutputStream().flush();
      client.shutdownOutput();
    }
    awaitIdle(relay);
    assertThat(greeter.errors).isEmpty();
    assertThat(relay.stats().bytesIn()).isEqualTo(6);
  }

  @Test
  void refusesConnectionsBeyondTheCap() throws Exception {
    Relay relay = fixture.startServer(serverSpec(echo.address()).maxConnections(1).build(), Provider.best(), listener);
    int port = relay.localAddress().getPort();

    try (SSLSocket first = TlsClient.connect(port, CA, CLIENT1, "service1")) {
      assertThat(TlsClient.roundTrip(first, "1")).isEqualTo("1");
      try (Socket second = plainConnect(port)) {
        assertThat(TlsClient.endedByServer(second)).isTrue();
      }
      assertThat(listener.failures).containsExactly("service1 is at its limit of 1 connections");
      assertThat(TlsClient.roundTrip(first, "still here")).isEqualTo("still here");
    }
    awaitIdle(relay);
    try (SSLSocket again = TlsClient.connect(port, CA, CLIENT1, "service1")) {
      assertThat(TlsClient.roundTrip(again, "room again")).isEqualTo("room again");
    }
  }

  @Test
  void idleConnectionIsClosed() throws Exception {
    RelaySpec spec = serverSpec(echo.address())
        .timeouts(RelaySpec.Timeouts.DEFAULT.withIdle(Duration.ofMillis(300))).build();
    Relay relay = fixture.startServer(spec, Provider.best(), listener);

    try (SSLSocket client = TlsClient.connect(relay.localAddress().getPort(), CA, CLIENT1, "service1")) {
      assertThat(TlsClient.roundTrip(client, "then silence")).isEqualTo("then silence");
      assertThat(TlsClient.endedByServer(client)).isTrue();
    }
    awaitIdle(relay);
    assertThat(listener.closed).hasSize(1);
    assertThat(listener.failures).isEmpty();
  }

  @Test
  void bindFailureSaysThePortIsInUse() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      RelaySpec spec = serverSpec(echo.address())
          .accept(new InetSocketAddress(InetAddress.getLoopbackAddress(), taken.getLocalPort())).build();
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> fixture.startServer(spec, Provider.best(), listener))
          .isInstanceOf(RelayBindException.class)
          .hasMessage("port " + taken.getLocalPort() + " is already in use on 127.0.0.1");
    }
  }

  @Test
  void bindFailureSaysTheAddressIsNotOnThisHost() throws Exception {
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): never assigned to a host.
    RelaySpec spec = serverSpec(echo.address()).accept(new InetSocketAddress("192.0.2.1", 0)).build();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> fixture.startServer(spec, Provider.best(), listener))
        .isInstanceOf(RelayBindException.class)
        .hasMessage("address 192.0.2.1 is not on this host");
  }

  @Test
  void logsOneLineWhenAConnectionOpensAndOneWhenItCloses() throws Exception {
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    Logger connectionLog = (Logger) LoggerFactory.getLogger(Connection.class);
    connectionLog.addAppender(lines);
    try {
      Relay relay = fixture.startServer(serverSpec(echo.address()).build(), Provider.best(), listener);
      int clientPort;
      try (SSLSocket client = TlsClient.connect(relay.localAddress().getPort(), CA, CLIENT1, "service1")) {
        clientPort = client.getLocalPort();
        assertThat(TlsClient.roundTrip(client, "0123456789")).isEqualTo("0123456789");
      }
      awaitIdle(relay);

      String peer = "127.0.0.1:" + clientPort;
      assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage).filteredOn(m -> m.contains(peer))
          .satisfiesExactly(
              open -> assertThat(open).isEqualTo("opened " + peer + " (client1) on service1 to 127.0.0.1:" + echo.address().getPort()),
              close -> assertThat(close).startsWith("closed " + peer + " (client1) on service1 to 127.0.0.1:"
                  + echo.address().getPort() + ": 10 bytes in, 10 bytes out, "));
    } finally {
      connectionLog.detachAppender(lines);
    }
  }

  static Socket plainConnect(int port) throws java.io.IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
    s.setSoTimeout(TlsClient.READ_TIMEOUT_MILLIS);
    return s;
  }

  /** A loopback port nobody listens on (bound, then released). */
  static InetSocketAddress unusedPort() throws java.io.IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
    }
  }
}
