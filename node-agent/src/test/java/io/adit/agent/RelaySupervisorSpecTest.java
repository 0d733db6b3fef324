package io.adit.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.agent.reconcile.DesiredRelay;
import io.adit.agent.relay.RelaySpec;
import io.adit.api.v1.ServiceSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A service spec as the relay sees it: the fields that reach {@link RelaySpec}. */
class RelaySupervisorSpecTest {
  static RelaySpec relay(ServiceSpec.Builder spec) {
    return RelaySupervisor.relaySpec(new DesiredRelay(spec.setName("web").setAccept("127.0.0.1:8443")
        .addConnect("127.0.0.1:8080").addConnect("127.0.0.1:8081").build(), List.of()));
  }

  @Test
  void failoverRrReachesTheRelayAndEmptyMeansInOrder() {
    assertThat(relay(ServiceSpec.newBuilder().setFailover("rr")).failover()).isEqualTo(RelaySpec.Failover.RR);
    assertThat(relay(ServiceSpec.newBuilder()).failover()).isEqualTo(RelaySpec.Failover.PRIO);
  }
}
