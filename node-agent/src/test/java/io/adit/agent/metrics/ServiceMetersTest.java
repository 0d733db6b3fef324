package io.adit.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.agent.relay.FailureKind;
import io.adit.agent.relay.RelayListener;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ServiceMetersTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ServiceMeters meters = new ServiceMeters(registry, "web");
  private final List<String> reported = new ArrayList<>();
  private final RelayListener listener = meters.around(reported::add);

  @Test
  void countsFailuresByReasonAndPassesOnlyTheReportableOnesOn() {
    listener.onFailure(FailureKind.PLAINTEXT, "client sent plaintext to a TLS port");
    listener.onFailure(FailureKind.PLAINTEXT, "client sent plaintext to a TLS port");
    listener.onFailure(FailureKind.CLOSED_WITHOUT_DATA, "client closed the connection before sending anything");
    listener.onFailure(FailureKind.BACKEND_REFUSED, "backend 127.0.0.1:1 refused the connection");

    assertThat(registry.get("adit.agent.handshake.failures").tag("service", "web").tag("reason", "plaintext").counter()
        .count()).isEqualTo(2);
    assertThat(registry.get("adit.agent.handshake.failures").tag("reason", "closed_without_data").counter().count())
        .isEqualTo(1);
    assertThat(registry.get("adit.agent.connection.failures").tag("reason", "backend_refused").counter().count())
        .isEqualTo(1);
    assertThat(registry.find("adit.agent.handshake.failures").tag("reason", "unknown_ca").counter())
        .as("a reason that never happened has no series").isNull();
    assertThat(reported).containsExactly("client sent plaintext to a TLS port", "client sent plaintext to a TLS port",
        "backend 127.0.0.1:1 refused the connection");
  }

  @Test
  void recordsAcceptsAndTimings() {
    listener.onAccept();
    listener.onHandshake(TimeUnit.MILLISECONDS.toNanos(3));
    listener.onBackendConnected(TimeUnit.MICROSECONDS.toNanos(400));

    assertThat(registry.get("adit.agent.connections.accepted").counter().count()).isEqualTo(1);
    assertThat(registry.get("adit.agent.handshake.duration").timer().totalTime(TimeUnit.MILLISECONDS)).isEqualTo(3);
    assertThat(registry.get("adit.agent.backend.connect.duration").timer().count()).isEqualTo(1);
  }

  @Test
  void aRemovedServiceLeavesNoSeriesEvenWhenItsDrainingRelayFailsLater() {
    listener.onFailure(FailureKind.UNKNOWN_CA, "unknown CA");
    meters.remove();
    assertThat(registry.getMeters()).isEmpty();

    listener.onFailure(FailureKind.BACKEND_TIMEOUT, "backend did not answer");
    listener.onAccept();

    assertThat(registry.getMeters()).isEmpty();
    assertThat(reported).containsExactly("unknown CA", "backend did not answer");
  }
}
