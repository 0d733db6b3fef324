package io.adit.agent.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.api.v1.Mode;
import io.adit.api.v1.ServiceSpec;
import io.adit.api.v1.Verify;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlannerTest {
  static DesiredRelay relay(String name, String connect) {
    return new DesiredRelay(ServiceSpec.newBuilder().setName(name).setAccept("6000").addConnect(connect)
        .addNodes("n1").setVerify(Verify.VERIFY_REQUIRE).build(), List.of());
  }

  @Test
  void startsWhatIsMissingAndStopsWhatIsNoLongerWanted() {
    List<Action> plan = Planner.plan(Map.of("a", relay("a", "127.0.0.1:7000")),
        Map.of("b", ObservedRelay.running(relay("b", "127.0.0.1:7000"))), false);
    assertThat(plan).containsExactly(
        new Action.Stop("b", "the service was deleted or is no longer placed on this node"),
        new Action.Start(relay("a", "127.0.0.1:7000"), "new service"));
  }

  @Test
  void restartsOnlyTheRelayWhoseSpecChangedAndSaysWhichFields() {
    DesiredRelay a = relay("a", "127.0.0.1:7000");
    DesiredRelay b = relay("b", "127.0.0.1:7000");
    DesiredRelay changed = new DesiredRelay(b.spec().toBuilder().setConnect(0, "127.0.0.1:7001").setVerify(Verify.VERIFY_NONE).build(),
        List.of());
    List<Action> plan = Planner.plan(Map.of("a", a, "b", changed),
        Map.of("a", ObservedRelay.running(a), "b", ObservedRelay.running(b)), false);
    assertThat(plan).containsExactly(new Action.Restart(changed, "changed connect, verify"));
  }

  @Test
  void anEmptyPlanMeansConvergedAndApplyingAPlanConverges() {
    Map<String, DesiredRelay> desired = Map.of("a", relay("a", "x:1"), "b", relay("b", "x:2"));
    Map<String, ObservedRelay> observed = new HashMap<>(Map.of("c", ObservedRelay.running(relay("c", "x:3"))));
    for (Action action : Planner.plan(desired, observed, false)) {
      if (action instanceof Action.Start s) {
        observed.put(s.service(), ObservedRelay.running(s.relay()));
      } else if (action instanceof Action.Restart r) {
        observed.put(r.service(), ObservedRelay.running(r.relay()));
      } else {
        observed.remove(action.service());
      }
    }
    assertThat(Planner.plan(desired, observed, false)).isEmpty();
  }

  @Test
  void leavesAFailedRelayAloneUntilItsSpecChangesOrAResyncRetries() {
    DesiredRelay a = relay("a", "x:1");
    Map<String, ObservedRelay> failed = Map.of("a", ObservedRelay.failed(a, "port 6000 is already in use"));
    assertThat(Planner.plan(Map.of("a", a), failed, false)).isEmpty();
    assertThat(Planner.plan(Map.of("a", a), failed, true))
        .containsExactly(new Action.Restart(a, "retrying after: port 6000 is already in use"));
    DesiredRelay fixed = new DesiredRelay(a.spec().toBuilder().setAccept("6001").build(), List.of());
    assertThat(Planner.plan(Map.of("a", fixed), failed, false)).containsExactly(new Action.Restart(fixed, "changed accept"));
  }

  @Test
  void restartsAClientWhenTheNodesOfItsTargetChange() {
    ServiceSpec spec = ServiceSpec.newBuilder().setName("c").setMode(Mode.MODE_CLIENT).setAccept("8000").setTo("a")
        .addNodes("n1").build();
    DesiredRelay before = new DesiredRelay(spec, List.of("10.0.0.1:6000"));
    DesiredRelay after = new DesiredRelay(spec, List.of("10.0.0.1:6000", "10.0.0.2:6000"));
    assertThat(Planner.plan(Map.of("c", after), Map.of("c", ObservedRelay.running(before)), false))
        .containsExactly(new Action.Restart(after, "changed target addresses"));
  }

  @Test
  void selectsTheServicesPlacedOnThisNode() {
    ServiceSpec mine = ServiceSpec.newBuilder().setName("mine").addNodes("n1").build();
    ServiceSpec theirs = ServiceSpec.newBuilder().setName("theirs").addNodes("n2").build();
    ServiceSpec everywhere = ServiceSpec.newBuilder().setName("everywhere").setAllNodes(true).build();
    assertThat(DesiredState.forNode("n1", List.of(mine, theirs, everywhere), s -> List.of()).keySet())
        .containsExactly("mine", "everywhere");
  }
}
