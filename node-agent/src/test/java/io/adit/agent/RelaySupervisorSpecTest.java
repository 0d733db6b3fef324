package io.adit.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.agent.reconcile.DesiredRelay;
import io.adit.agent.relay.RelaySpec;
import io.adit.agent.tls.TlsChoices;
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

  @Test
  void ciphersCiphersuitesAndCurvesReachTheRelay() {
    RelaySpec r = relay(ServiceSpec.newBuilder().addTlsCiphers("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")
        .addTlsCiphersuites("TLS_AES_256_GCM_SHA384").addTlsCurves("X25519"));
    assertThat(r.tlsChoices().ciphers()).containsExactly("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    assertThat(r.tlsChoices().ciphersuites()).containsExactly("TLS_AES_256_GCM_SHA384");
    assertThat(r.tlsChoices().curves()).containsExactly("X25519");
    assertThat(relay(ServiceSpec.newBuilder()).tlsChoices()).isEqualTo(TlsChoices.DEFAULT);
  }
}
