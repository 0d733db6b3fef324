package io.adit.controller.ca;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.controller.ca.CaRotation.Authority;
import io.adit.controller.ca.CaRotation.Inputs;
import io.adit.controller.ca.CaRotation.Plan;
import io.adit.controller.ca.CaRotation.Settings;
import io.adit.controller.ca.CaRotation.Signed;
import io.adit.controller.ca.CaRotation.State;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CaRotationTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final Settings SETTINGS = new Settings(Duration.ofSeconds(5), Duration.ofSeconds(10));
  static final String NEW_BUNDLE = "fp-new";

  static Inputs inputs(List<Authority> cas, Map<String, String> ready, List<Signed> signed, Instant now) {
    return new Inputs(cas, NEW_BUNDLE, ready, signed, now);
  }

  static final Authority OLD = new Authority("old", State.ACTIVE, T0.minus(Duration.ofDays(100)));
  static final Authority NEW = new Authority("new", State.PREPARED, T0);

  @Test
  void aPreparedCaWaitsForEveryReadyNodeThatHoldsAnOlderBundle() {
    Plan plan = CaRotation.plan(inputs(List.of(OLD, NEW), Map.of("node2", "fp-old", "node1", NEW_BUNDLE, "node3", ""),
        List.of(), T0.plusSeconds(60)), SETTINGS);

    assertThat(plan.isEmpty()).isTrue();
    assertThat(plan.waiting().get("new").nodes()).containsExactly("node2", "node3");
  }

  @Test
  void activatesWhenEveryReadyNodeHoldsTheNewBundleAndTheOldActiveStartsRetiring() {
    Instant now = T0.plusSeconds(60);
    Plan plan = CaRotation.plan(inputs(List.of(OLD, NEW), Map.of("node1", NEW_BUNDLE, "node2", NEW_BUNDLE),
        List.of(new Signed("old", now.plusSeconds(30), "service/web serial 0a")), now), SETTINGS);

    assertThat(plan.transitions()).containsExactly(Map.entry("new", State.ACTIVE), Map.entry("old", State.RETIRING));
    assertThat(plan.waiting().get("old").retireAt()).contains(now.plusSeconds(40));
    assertThat(plan.waiting().get("old").lastCertificate()).contains("service/web serial 0a");
  }

  @Test
  void nodesThatAreNotReadyDoNotBlockActivation() {
    // readyNodes holds only nodes whose presence lease is alive: a stopped node is simply absent.
    Plan plan = CaRotation.plan(inputs(List.of(OLD, NEW), Map.of(), List.of(), T0.plusSeconds(60)), SETTINGS);

    assertThat(plan.transitions()).containsEntry("new", State.ACTIVE);
  }

  @Test
  void staysPreparedForTheMinimumTimeSoEveryControllerTrustsItFirst() {
    Plan early = CaRotation.plan(inputs(List.of(OLD, NEW), Map.of(), List.of(), T0.plusSeconds(4)), SETTINGS);
    Plan onTime = CaRotation.plan(inputs(List.of(OLD, NEW), Map.of(), List.of(), T0.plusSeconds(5)), SETTINGS);

    assertThat(early.isEmpty()).isTrue();
    assertThat(early.waiting().get("new").earliestActivation()).contains(T0.plusSeconds(5));
    assertThat(onTime.transitions()).containsEntry("new", State.ACTIVE);
  }

  @Test
  void aRetiringCaRetiresOnlyAfterItsLastCertificateExpiredPlusSlack() {
    Authority retiring = new Authority("old", State.RETIRING, T0);
    Authority active = new Authority("new", State.ACTIVE, T0);
    List<Signed> signed = List.of(
        new Signed("old", T0.plusSeconds(20), "node/node1 serial 01"),
        new Signed("old", T0.plusSeconds(50), "client/c1 serial 02"),
        new Signed("new", T0.plusSeconds(500), "service/web serial 03"));

    Plan before = CaRotation.plan(inputs(List.of(retiring, active), Map.of(), signed, T0.plusSeconds(59)), SETTINGS);
    Plan after = CaRotation.plan(inputs(List.of(retiring, active), Map.of(), signed, T0.plusSeconds(60)), SETTINGS);

    assertThat(before.isEmpty()).isTrue();
    assertThat(before.waiting().get("old").retireAt()).contains(T0.plusSeconds(60));
    assertThat(before.waiting().get("old").lastCertificate()).contains("client/c1 serial 02");
    assertThat(after.transitions()).containsExactly(Map.entry("old", State.RETIRED));
  }

  @Test
  void recordsWithoutASigningCaCountForEveryRetiringCa() {
    Authority retiring = new Authority("old", State.RETIRING, T0);
    Plan plan = CaRotation.plan(inputs(List.of(retiring), Map.of(),
        List.of(new Signed("", T0.plusSeconds(100), "admin/admin serial 04")), T0.plusSeconds(60)), SETTINGS);

    assertThat(plan.isEmpty()).isTrue();
    assertThat(plan.waiting().get("old").retireAt()).contains(T0.plusSeconds(110));
  }

  @Test
  void aRetiringCaWithNoCertificateLeftRetiresAfterTheSlack() {
    Authority retiring = new Authority("old", State.RETIRING, T0);
    Plan plan = CaRotation.plan(inputs(List.of(retiring), Map.of(), List.of(), T0.plusSeconds(10)), SETTINGS);

    assertThat(plan.transitions()).containsExactly(Map.entry("old", State.RETIRED));
  }

  @Test
  void withoutARotationNothingChanges() {
    Plan plan = CaRotation.plan(inputs(List.of(OLD), Map.of("node1", "anything"), List.of(), T0), SETTINGS);

    assertThat(plan.isEmpty()).isTrue();
    assertThat(plan.waiting().get("old").retireAt()).isEqualTo(Optional.empty());
  }

  @Test
  void aCertificateThatExpiredLessThanTheSlackAgoStillHoldsItsCa() {
    Authority retiring = new Authority("old", State.RETIRING, T0);
    List<Signed> signed = List.of(new Signed("old", T0.plusSeconds(20), "client/app serial 05"));

    Plan justExpired = CaRotation.plan(inputs(List.of(retiring), Map.of(), signed, T0.plusSeconds(21)), SETTINGS);
    Plan slackOver = CaRotation.plan(inputs(List.of(retiring), Map.of(), signed, T0.plusSeconds(30)), SETTINGS);

    assertThat(justExpired.isEmpty()).isTrue();
    assertThat(justExpired.waiting().get("old").retireAt()).contains(T0.plusSeconds(30));
    assertThat(slackOver.transitions()).containsExactly(Map.entry("old", State.RETIRED));
  }
}
