package io.adit.common.spec;

import com.google.protobuf.Descriptors.FieldDescriptor;
import io.adit.api.v1.ServiceSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which spec changes make a node start, restart or stop a relay: one rule, shared by the node
 * agent (which acts on it) and by {@code aditctl diff} (which predicts it). Pure.
 *
 * <p>The rule: a node runs a service when the service names it or runs on all nodes; a node
 * that keeps running a service restarts its relay when any field of the spec changed (the relay
 * is built from the whole spec, and a restart drains live connections rather than cutting them).
 */
public final class RelayChanges {
  /** The fields of a {@code to} target that change where its clients connect. */
  private static final Set<String> TARGET_FIELDS = Set.of("accept", "nodes", "allNodes");

  /** What one node does with one service's relay, and why. */
  public record Change(String node, String service, String action, String reason) {}

  private RelayChanges() {}

  /** Whether {@code node} runs {@code spec}. */
  public static boolean placedOn(ServiceSpec spec, String node) {
    return spec.getAllNodes() || spec.getNodesList().contains(node);
  }

  /** The fields that differ, by their API (JSON) names, in the order the spec declares them. */
  public static List<String> changedFields(ServiceSpec before, ServiceSpec after) {
    List<String> fields = new ArrayList<>();
    for (FieldDescriptor f : ServiceSpec.getDescriptor().getFields()) {
      if (!before.getField(f).equals(after.getField(f))) {
        fields.add(f.getJsonName());
      }
    }
    return fields;
  }

  /** Whether clients of a service ({@code to}) connect elsewhere after these fields changed. */
  public static boolean movesTarget(Collection<String> changedFields) {
    return changedFields.stream().anyMatch(TARGET_FIELDS::contains);
  }

  /** "changed connect, verify", as the agent logs a restart. */
  public static String describe(List<String> changedFields) {
    return changedFields.isEmpty() ? "config changed" : "changed " + String.join(", ", changedFields);
  }

  /**
   * What each of {@code nodes} does when a service goes from {@code before} to {@code after}
   * (either may be null: created, deleted), sorted by node.
   */
  public static List<Change> of(ServiceSpec before, ServiceSpec after, Collection<String> nodes) {
    String service = after != null ? after.getName() : before.getName();
    List<String> fields = before != null && after != null ? changedFields(before, after) : List.of();
    List<Change> out = new ArrayList<>();
    for (String node : new TreeSet<>(nodes)) {
      boolean was = before != null && placedOn(before, node);
      boolean is = after != null && placedOn(after, node);
      if (!was && is) {
        out.add(new Change(node, service, "start", "new service"));
      } else if (was && !is) {
        out.add(new Change(node, service, "stop", "the service was deleted or is no longer placed on this node"));
      } else if (was && !fields.isEmpty()) {
        out.add(new Change(node, service, "restart", describe(fields)));
      }
    }
    return out;
  }
}
