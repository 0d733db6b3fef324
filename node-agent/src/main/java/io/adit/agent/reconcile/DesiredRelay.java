package io.adit.agent.reconcile;

import io.adit.api.v1.ServiceSpec;
import java.util.List;

/**
 * What this node should run for one service: the spec, and for a client-mode service with
 * {@code to}, the addresses of the nodes that run the target (resolved from etcd).
 */
public record DesiredRelay(ServiceSpec spec, List<String> targets) {
  public DesiredRelay {
    targets = List.copyOf(targets);
  }

  public String service() {
    return spec.getName();
  }
}
