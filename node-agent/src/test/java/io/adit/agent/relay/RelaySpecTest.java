package io.adit.agent.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adit.agent.tls.Verify;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RelaySpecTest {
  private static final InetSocketAddress ACCEPT = new InetSocketAddress("127.0.0.1", 6000);
  private static final InetSocketAddress BACKEND = new InetSocketAddress("127.0.0.1", 7000);

  @Test
  void serverSpecHasStunnelLikeSafeDefaults() {
    RelaySpec spec = RelaySpec.server("service1").accept(ACCEPT).connect(BACKEND).build();

    assertThat(spec.verify()).isEqualTo(Verify.REQUIRE);
    assertThat(spec.allow()).isEmpty();
    assertThat(spec.timeouts()).isEqualTo(new RelaySpec.Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofMinutes(5)));
    assertThat(spec.maxConnections()).isEqualTo(1000);
    assertThat(spec.minTlsVersion()).isEqualTo("1.2");
  }

  @Test
  void builderRoundTrips() {
    RelaySpec spec = RelaySpec.server("service1").accept(ACCEPT).connect(BACKEND, ACCEPT).verify(Verify.OPTIONAL)
        .allow("client1").maxConnections(5).minTlsVersion("1.3").build();

    assertThat(spec.toBuilder().build()).isEqualTo(spec);
    assertThat(spec.connect()).containsExactly(BACKEND, ACCEPT);
  }

  @Test
  void clientModeNeedsTheServerNameToVerify() {
    assertThatThrownBy(() -> RelaySpec.client("tunnel1").accept(ACCEPT).connect(BACKEND).build())
        .hasMessageStartingWith("client-mode service tunnel1 needs a server name");
  }

  @Test
  void allowNeedsVerification() {
    assertThatThrownBy(() -> RelaySpec.server("service1").accept(ACCEPT).connect(BACKEND).verify(Verify.NONE).allow("client1").build())
        .hasMessage("service service1 allows only some identities, which needs verify optional or require, not none");
  }

  @Test
  void refusesWhatCannotWork() {
    assertThatThrownBy(() -> RelaySpec.server("Service_1").accept(ACCEPT).connect(BACKEND).build())
        .hasMessageStartingWith("service name 'Service_1' is not a valid DNS label");
    assertThatThrownBy(() -> RelaySpec.server("service1").accept(ACCEPT).connect(List.of()).build())
        .hasMessage("service service1 needs at least one connect address");
    assertThatThrownBy(() -> RelaySpec.server("service1").accept(ACCEPT).connect(new InetSocketAddress("127.0.0.1", 0)).build())
        .hasMessageContaining("has no port");
    assertThatThrownBy(() -> RelaySpec.server("service1").accept(ACCEPT).connect(BACKEND).maxConnections(0).build())
        .hasMessage("maxConnections of service service1 must be positive, got 0");
    assertThatThrownBy(() -> RelaySpec.server("service1").accept(ACCEPT).connect(BACKEND).minTlsVersion("1.0").build())
        .hasMessage("minimum TLS version must be 1.2 or 1.3, not 1.0");
    assertThatThrownBy(() -> RelaySpec.server("service1").accept(ACCEPT).connect(BACKEND).allow("Bad Name").build())
        .hasMessageContaining("is not a valid DNS label");
    assertThatThrownBy(() -> RelaySpec.Timeouts.DEFAULT.withHandshake(Duration.ZERO))
        .hasMessage("handshake timeout must be positive, got PT0S");
  }

  @Test
  void zeroIdleTimeoutMeansNever() {
    assertThat(RelaySpec.Timeouts.DEFAULT.withIdle(Duration.ZERO).idle()).isZero();
  }
}
