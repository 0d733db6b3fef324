package io.adit.agent.relay;

import static io.adit.agent.relay.RelayFixture.CA;
import static io.adit.agent.relay.RelayFixture.CLIENT1;
import static io.adit.agent.relay.RelayFixture.anyLoopbackPort;
import static io.adit.agent.relay.RelayFixture.awaitIdle;
import static io.adit.agent.relay.RelayFixture.serverSpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.adit.agent.tls.Provider;
import io.adit.agent.tls.TestPki;
import io.adit.agent.tls.TlsContexts;
import io.adit.agent.tls.Verify;
import io.netty.handler.ssl.SslContext;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * stunnel's {@code client = yes}: an application speaks plaintext to a client-mode relay, which
 * carries it over TLS, with a client certificate, to a server-mode relay and on to the backend.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClientModeIT {
  private RelayFixture fixture;
  private TcpBackend echo;
  private final RecordingListener serverSide = new RecordingListener();
  private final RecordingListener clientSide = new RecordingListener();

  @BeforeEach
  void setUp() throws Exception {
    fixture = new RelayFixture();
    echo = fixture.closeLater(TcpBackend.echo());
  }

  @AfterEach
  void tearDown() throws Exception {
    fixture.close();
  }

  private Relay serverRelay(Provider provider) throws RelayBindException {
    return fixture.startServer(serverSpec(echo.address()).verify(Verify.REQUIRE).allow("client1").build(), provider, serverSide);
  }

  private Relay clientRelay(InetSocketAddress remote, String serverName, TestPki.Leaf cert, Provider provider)
      throws RelayBindException {
    SslContext context = TlsContexts.forClient(cert == null ? null : cert.key(), cert == null ? null : cert.chain(),
        CA.trust(), "1.2", provider);
    RelaySpec spec = RelaySpec.client("tunnel1").accept(anyLoopbackPort()).connect(remote).serverName(serverName).build();
    return fixture.start(spec, () -> context, clientSide);
  }

  @ParameterizedTest
  @EnumSource(Provider.class)
  void plaintextGoesThroughClientAndServerRelaysToTheBackendAndBack(Provider provider) throws Exception {
    Relay server = serverRelay(provider);
    Relay client = clientRelay(server.localAddress(), "service1", CLIENT1, provider);

    try (Socket app = ServerModeIT.plainConnect(client.localAddress().getPort())) {
      assertThat(TlsClient.roundTrip(app, "hello")).isEqualTo("hello");
      assertThat(TlsClient.roundTrip(app, "world")).isEqualTo("world");
    }

    await().until(() -> serverSide.opened.size() == 1 && clientSide.opened.size() == 1);
    assertThat(serverSide.opened.get(0).identity()).isEqualTo("client1");
    assertThat(clientSide.opened.get(0).backend()).isEqualTo(server.localAddress());
    awaitIdle(client);
    awaitIdle(server);
    assertThat(serverSide.failures).isEmpty();
    assertThat(clientSide.failures).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Provider.class)
  void applicationHalfCloseCrossesBothRelays(Provider provider) throws Exception {
    TcpBackend replier = fixture.closeLater(TcpBackend.replyAfterEof());
    Relay server = fixture.startServer(serverSpec(replier.address()).build(), provider, serverSide);
    Relay client = clientRelay(server.localAddress(), "service1", CLIENT1, provider);

    try (Socket app = ServerModeIT.plainConnect(client.localAddress().getPort())) {
      OutputStream out = app.getOutputStream();
      out.write("hello".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      app.shutdownOutput(); // `echo hello | ncat`: done sending, still listening

      assertThat(TlsClient.readAll(app)).isEqualTo("got 5 bytes");
    }
    awaitIdle(client);
    awaitIdle(server);
    assertThat(replier.errors).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Provider.class)
  void serverNameMismatchIsReportedInPlainWords(Provider provider) throws Exception {
    Relay server = serverRelay(provider);
    Relay client = clientRelay(server.localAddress(), "service2", CLIENT1, provider);

    try (Socket app = ServerModeIT.plainConnect(client.localAddress().getPort())) {
      app.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
      assertThat(TlsClient.endedByServer(app)).isTrue();
    }

    await().until(() -> !clientSide.failures.isEmpty());
    assertThat(clientSide.failures)
        .containsExactly("server certificate does not match server name service2 (it is for service1)");
    assertThat(client.stats().failures(FailureKind.SERVER_NAME_MISMATCH)).isEqualTo(1);
    // The server relay sees its client give up on its certificate, whatever alert says so.
    await().until(() -> !serverSide.failures.isEmpty());
    assertThat(server.stats().failures(FailureKind.PEER_REFUSED_US)).isEqualTo(1);
    assertThat(echo.accepted).hasValue(0);
  }

  @Test
  void serverFromAnotherCaIsRefused() throws Exception {
    TestPki.Ca other = TestPki.newCa("Other CA");
    TestPki.Leaf impostor = other.server("service1");
    SslContext impostorContext = TlsContexts.forServer(impostor.key(), impostor.chain(), CA.trust(), Verify.NONE, "1.2",
        Provider.best());
    Relay server = fixture.start(serverSpec(echo.address()).verify(Verify.NONE).build(), () -> impostorContext, serverSide);
    Relay client = clientRelay(server.localAddress(), "service1", CLIENT1, Provider.best());

    try (Socket app = ServerModeIT.plainConnect(client.localAddress().getPort())) {
      assertThat(TlsClient.endedByServer(app)).isTrue();
    }

    await().until(() -> !clientSide.failures.isEmpty());
    assertThat(clientSide.failures).containsExactly("server certificate was issued by an unknown CA (CN=Other CA)");
  }

  @Test
  void unreachableRemoteIsNamed() throws Exception {
    InetSocketAddress dead = ServerModeIT.unusedPort();
    Relay client = clientRelay(dead, "service1", CLIENT1, Provider.best());

    try (Socket app = ServerModeIT.plainConnect(client.localAddress().getPort())) {
      assertThat(TlsClient.endedByServer(app)).isTrue();
    }

    await().until(() -> !clientSide.failures.isEmpty());
    assertThat(clientSide.failures).containsExactly("server 127.0.0.1:" + dead.getPort() + " refused the connection");
  }
}
