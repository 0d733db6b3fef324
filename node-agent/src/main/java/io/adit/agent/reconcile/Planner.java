package io.adit.agent.reconcile;

import io.adit.common.spec.RelayChanges;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The heart of the agent, and pure: from what should run and what runs, the actions that make
 * them equal. Level-based and idempotent — an empty plan means converged, and planning again
 * after applying a plan yields nothing new. No sockets, no etcd, no threads.
 */
public final class Planner {
  private Planner() {}

  /**
   * @param retryFailed whether relays that failed with an unchanged config are tried again (on
   *     a periodic resync: a port that was busy may be free now)
   */
  public static List<Action> plan(Map<String, DesiredRelay> desired, Map<String, ObservedRelay> observed,
      boolean retryFailed) {
    List<Action> actions = new ArrayList<>();
    for (String name : new TreeSet<>(observed.keySet())) {
      if (!desired.containsKey(name)) {
        actions.add(new Action.Stop(name, "the service was deleted or is no longer placed on this node"));
      }
    }
    for (String name : new TreeSet<>(desired.keySet())) {
      DesiredRelay want = desired.get(name);
      ObservedRelay have = observed.get(name);
      if (have == null) {
        actions.add(new Action.Start(want, "new service"));
      } else if (!have.config().equals(want)) {
        actions.add(new Action.Restart(want, describeChange(have.config(), want)));
      } else if (have.failed() && retryFailed) {
        actions.add(new Action.Restart(want, "retrying after: " + have.reason()));
      }
    }
    return actions;
  }

  /** Which fields changed, by their API names: "changed connect, verify" (the rule is {@link RelayChanges}). */
  static String describeChange(DesiredRelay before, DesiredRelay after) {
    List<String> fields = new ArrayList<>(RelayChanges.changedFields(before.spec(), after.spec()));
    if (!before.targets().equals(after.targets())) {
      fields.add("target addresses");
    }
    return RelayChanges.describe(fields);
  }
}
