package io.adit.agent.relay;

import static io.adit.agent.relay.RelayFixture.CA;
import static io.adit.agent.relay.RelayFixture.CLIENT1;
import static io.adit.agent.relay.RelayFixture.serverSpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.adit.agent.tls.Provider;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Stopping a relay for a spec change or a delete: stop accepting, let live connections finish. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DrainIT {
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

  @Test
  void liveConnectionSurvivesDrainUntilItEndsAndNewOnesAreRefused() throws Exception {
    Relay relay = fixture.startServer(serverSpec(echo.address()).build(), Provider.best(), listener);
    int port = relay.localAddress().getPort();
    CompletableFuture<Void> drained;

    try (SSLSocket live = TlsClient.connect(port, CA, CLIENT1, "service1")) {
      assertThat(TlsClient.roundTrip(live, "before")).isEqualTo("before");

      drained = relay.drain(Duration.ofSeconds(30));

      await().untilAsserted(() -> assertThatThrownBy(() -> new Socket("127.0.0.1", port).close())
          .isInstanceOf(ConnectException.class));
      assertThat(TlsClient.roundTrip(live, "during drain")).isEqualTo("during drain");
      assertThat(drained).isNotDone();
    }

    drained.get(10, TimeUnit.SECONDS);
    assertThat(relay.stats().activeConnections()).isZero();
    assertThat(listener.closed).hasSize(1);
  }

  @Test
  void connectionsStillOpenWhenTheGraceEndsAreClosed() throws Exception {
    Relay relay = fixture.startServer(serverSpec(echo.address()).build(), Provider.best(), listener);

    try (SSLSocket straggler = TlsClient.connect(relay.localAddress().getPort(), CA, CLIENT1, "service1")) {
      assertThat(TlsClient.roundTrip(straggler, "slow")).isEqualTo("slow");

      relay.drain(Duration.ofMillis(200)).get(10, TimeUnit.SECONDS);

      assertThat(TlsClient.endedByServer(straggler)).isTrue();
    }
    assertThat(relay.stats().activeConnections()).isZero();
  }

  @Test
  void disconnectClosesOnlyTheMatchingConnections() throws Exception {
    Relay relay = fixture.startServer(serverSpec(echo.address()).build(), Provider.best(), listener);
    int port = relay.localAddress().getPort();

    try (SSLSocket kept = TlsClient.connect(port, CA, CLIENT1, "service1");
        SSLSocket revoked = TlsClient.connect(port, CA, RelayFixture.CLIENT2, "service1")) {
      assertThat(TlsClient.roundTrip(kept, "a")).isEqualTo("a");
      assertThat(TlsClient.roundTrip(revoked, "b")).isEqualTo("b");

      int closed = relay.disconnect(info -> info.identity().equals("client2"), "identity client2 was revoked");

      assertThat(closed).isEqualTo(1);
      assertThat(TlsClient.endedByServer(revoked)).isTrue();
      assertThat(TlsClient.roundTrip(kept, "still here")).isEqualTo("still here");
    }
  }

  @Test
  void closeEndsEverythingAtOnce() throws Exception {
    Relay relay = fixture.startServer(serverSpec(echo.address()).build(), Provider.best(), listener);

    try (SSLSocket live = TlsClient.connect(relay.localAddress().getPort(), CA, CLIENT1, "service1")) {
      assertThat(TlsClient.roundTrip(live, "x")).isEqualTo("x");
      relay.close();
      assertThat(relay.stats().activeConnections()).isZero();
      assertThat(TlsClient.endedByServer(live)).isTrue();
    }
  }
}
