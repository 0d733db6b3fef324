package io.adit.common.spec;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.api.v1.ServiceSpec;
import io.adit.common.spec.RelayChanges.Change;
import java.util.List;
import org.junit.jupiter.api.Test;

class RelayChangesTest {
  static final ServiceSpec WEB = ServiceSpec.newBuilder().setName("web").setAccept("443").addConnect("127.0.0.1:8080")
      .addNodes("a").addNodes("b").build();
  static final List<String> NODES = List.of("c", "b", "a");

  @Test
  void aNewServiceStartsOnItsNodesOnly() {
    assertThat(RelayChanges.of(null, WEB, NODES)).containsExactly(
        new Change("a", "web", "start", "new service"), new Change("b", "web", "start", "new service"));
  }

  @Test
  void anyChangedFieldRestartsTheRelayWhereItKeepsRunningAndPlacementStartsOrStopsIt() {
    ServiceSpec moved = WEB.toBuilder().clearNodes().addNodes("b").addNodes("c").setAccept("8443").build();
    assertThat(RelayChanges.of(WEB, moved, NODES)).containsExactly(
        new Change("a", "web", "stop", "the service was deleted or is no longer placed on this node"),
        new Change("b", "web", "restart", "changed accept, nodes"),
        new Change("c", "web", "start", "new service"));
  }

  @Test
  void narrowingTheCipherSuitesOrCurvesRestartsTheRelay() {
    ServiceSpec narrowed = WEB.toBuilder().addTlsCiphers("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")
        .addTlsCiphersuites("TLS_AES_256_GCM_SHA384").addTlsCurves("X25519").build();
    assertThat(RelayChanges.of(WEB, narrowed, NODES)).containsExactly(
        new Change("a", "web", "restart", "changed tlsCiphers, tlsCiphersuites, tlsCurves"),
        new Change("b", "web", "restart", "changed tlsCiphers, tlsCiphersuites, tlsCurves"));
    assertThat(RelayChanges.movesTarget(RelayChanges.changedFields(WEB, narrowed))).isFalse();
  }

  @Test
  void anUnchangedSpecTouchesNoRelay() {
    assertThat(RelayChanges.of(WEB, WEB.toBuilder().build(), NODES)).isEmpty();
    assertThat(RelayChanges.changedFields(WEB, WEB)).isEmpty();
  }

  @Test
  void allNodesRunsEverywhereAndDeletionStopsEverywhere() {
    ServiceSpec all = WEB.toBuilder().clearNodes().setAllNodes(true).build();
    assertThat(RelayChanges.placedOn(all, "z")).isTrue();
    assertThat(RelayChanges.of(all, null, List.of("a", "z"))).extracting(Change::action).containsExactly("stop", "stop");
  }

  @Test
  void onlyPortAndPlacementMoveAServiceForItsClients() {
    assertThat(RelayChanges.movesTarget(List.of("connect", "verify"))).isFalse();
    assertThat(RelayChanges.movesTarget(List.of("allNodes"))).isTrue();
    assertThat(RelayChanges.describe(List.of("connect", "verify"))).isEqualTo("changed connect, verify");
  }
}
