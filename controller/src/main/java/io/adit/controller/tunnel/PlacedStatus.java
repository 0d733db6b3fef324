package io.adit.controller.tunnel;

import io.adit.api.v1.NodeServiceStatus;
import io.adit.api.v1.ServiceSpec;
import io.adit.common.store.KeyLayout;
import io.adit.controller.store.Kv;
import io.adit.controller.store.Records;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the nodes a service is placed on report about it, one entry per placed node: the node's
 * own status, or, where it has none to trust, why. A node that has not joined or not yet
 * reported is Pending; a node whose heartbeat lease expired is NotReady, whatever it last
 * wrote. Statuses from nodes the service is no longer placed on are left out.
 */
final class PlacedStatus {
  static final String PENDING = "Pending";
  static final String NOT_READY = "NotReady";

  private final Set<String> joined = new HashSet<>();
  private final Set<String> present = new HashSet<>();
  private final Map<String, Map<String, NodeServiceStatus>> byService = new HashMap<>();

  /** From a listing of the whole nodes prefix (one read for every service). */
  static PlacedStatus ofListing(List<Kv.Entry> entries) {
    PlacedStatus s = new PlacedStatus();
    for (Kv.Entry e : entries) {
      String[] parts = KeyLayout.splitNodeKey(e.key());
      if (parts == null) {
        continue;
      }
      if (parts[1].equals("info")) {
        s.joined.add(parts[0]);
      } else if (parts[1].equals("presence")) {
        s.present.add(parts[0]);
      } else if (parts[1].startsWith("status/")) {
        s.byService.computeIfAbsent(parts[1].substring("status/".length()), k -> new HashMap<>())
            .put(parts[0], Records.parse(NodeServiceStatus.parser(), e));
      }
    }
    return s;
  }

  /** For one service placed on named nodes: three reads per node, not the whole fleet. */
  static PlacedStatus ofNodes(Kv kv, String service, List<String> nodes) {
    PlacedStatus s = new PlacedStatus();
    for (String node : nodes) {
      if (kv.get(KeyLayout.nodeInfo(node)).isPresent()) {
        s.joined.add(node);
      }
      if (kv.get(KeyLayout.nodePresence(node)).isPresent()) {
        s.present.add(node);
      }
      kv.get(KeyLayout.nodeStatus(node, service)).ifPresent(e -> s.byService
          .computeIfAbsent(service, k -> new HashMap<>()).put(node, Records.parse(NodeServiceStatus.parser(), e)));
    }
    return s;
  }

  boolean joined(String node) {
    return joined.contains(node);
  }

  /** One status per node the service runs on (every joined node for all-nodes), by node name. */
  List<NodeServiceStatus> of(ServiceSpec spec) {
    Map<String, NodeServiceStatus> reported = byService.getOrDefault(spec.getName(), Map.of());
    Set<String> placed = new TreeSet<>(spec.getAllNodes() ? joined : spec.getNodesList());
    List<NodeServiceStatus> out = new ArrayList<>();
    for (String node : placed) {
      NodeServiceStatus status = reported.get(node);
      if (!joined.contains(node)) {
        out.add(pending(node, "node " + node + " has not joined yet: the service runs there once it does"));
      } else if (status == null) {
        out.add(pending(node, present.contains(node)
            ? "node " + node + " has not reported this service yet"
            : "node " + node + " is not running (no heartbeat) and has not reported this service"));
      } else if (!present.contains(node)) {
        out.add(status.toBuilder().setState(NOT_READY)
            .setError("node " + node + " sends no heartbeat: it is down or cannot reach etcd (it last reported "
                + status.getState() + ")")
            .build());
      } else {
        out.add(status);
      }
    }
    return out;
  }

  private static NodeServiceStatus pending(String node, String why) {
    return NodeServiceStatus.newBuilder().setNode(node).setState(PENDING).setError(why).build();
  }
}
