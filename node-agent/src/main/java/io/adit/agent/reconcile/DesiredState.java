package io.adit.agent.reconcile;

import io.adit.api.v1.ServiceSpec;
import io.adit.common.spec.RelayChanges;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Which of the cluster's services this node runs: the ones placed on it by name or by --all-nodes. */
public final class DesiredState {
  private DesiredState() {}

  /**
   * @param targets for a client-mode service with {@code to}: the addresses of the nodes that
   *     run the target service, HOST:PORT, in a stable order
   */
  public static Map<String, DesiredRelay> forNode(String node, Collection<ServiceSpec> services,
      Function<ServiceSpec, List<String>> targets) {
    Map<String, DesiredRelay> out = new LinkedHashMap<>();
    for (ServiceSpec s : services) {
      if (RelayChanges.placedOn(s, node)) {
        out.put(s.getName(), new DesiredRelay(s, s.getTo().isEmpty() ? List.of() : targets.apply(s)));
      }
    }
    return out;
  }
}
