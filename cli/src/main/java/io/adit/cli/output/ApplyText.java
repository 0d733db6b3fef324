package io.adit.cli.output;

import io.adit.api.v1.ApplyAction;
import io.adit.api.v1.ApplyResponse;
import io.adit.api.v1.ApplyResult;
import io.adit.api.v1.RelayChange;
import io.adit.cli.declarative.FieldDiff;
import java.io.PrintWriter;
import java.util.List;

/**
 * What {@code apply} and {@code diff} print for people: one line per object (created, updated,
 * unchanged), and for diff each changed field with its old and new value and what each node
 * does with which relay.
 */
public final class ApplyText {
  private ApplyText() {}

  /** {@code apply}: "service/web updated (connect, verify)"; then how many transactions it took. */
  public static void applied(PrintWriter out, ApplyResponse r, boolean dryRun) {
    for (ApplyResult x : r.getResultsList()) {
      String fields = x.getAction() == ApplyAction.APPLY_ACTION_UPDATED
          ? " (" + String.join(", ", FieldDiff.of(x.getBefore(), x.getAfter()).stream().map(FieldDiff.Change::field).toList()) + ")"
          : "";
      out.println(x.getKind().toLowerCase(java.util.Locale.ROOT) + "/" + x.getName() + " " + verb(x.getAction(), dryRun) + fields);
    }
    if (dryRun) {
      out.println("dry run: nothing was stored");
    } else if (r.getBatches() > 1) {
      out.println("applied in " + r.getBatches() + " transactions of at most " + r.getBatchSize()
          + " objects each (etcd's limit of operations per transaction): each one is all or nothing, not the whole apply");
    }
  }

  /** {@code diff}: the changes, field by field, and the relays they start, restart or stop. */
  public static void diff(PrintWriter out, ApplyResponse r) {
    boolean any = false;
    for (ApplyResult x : r.getResultsList()) {
      if (x.getAction() == ApplyAction.APPLY_ACTION_UNCHANGED) {
        continue;
      }
      any = true;
      String sign = x.getAction() == ApplyAction.APPLY_ACTION_CREATED ? "+" : "~";
      out.println(sign + " " + x.getKind() + " " + x.getName() + " (" + x.getSource() + "): "
          + (x.getAction() == ApplyAction.APPLY_ACTION_CREATED ? "create" : "update"));
      if (x.getAction() == ApplyAction.APPLY_ACTION_UPDATED) {
        for (FieldDiff.Change c : FieldDiff.of(x.getBefore(), x.getAfter())) {
          out.println("    " + c.field() + ": " + value(c.before()) + " -> " + value(c.after()));
        }
      }
      relays(out, x.getRelaysList());
    }
    // Clients of a moved target restart though their own spec is unchanged.
    for (ApplyResult x : r.getResultsList()) {
      if (x.getAction() == ApplyAction.APPLY_ACTION_UNCHANGED && x.getRelaysCount() > 0) {
        out.println("= " + x.getKind() + " " + x.getName() + " (" + x.getSource() + "): unchanged, but");
        relays(out, x.getRelaysList());
        any = true;
      }
    }
    long unchanged = r.getResultsList().stream().filter(x -> x.getAction() == ApplyAction.APPLY_ACTION_UNCHANGED).count();
    if (!any) {
      out.println("no changes: all " + unchanged + " objects are as declared");
    } else if (unchanged > 0) {
      out.println(unchanged + " other object" + (unchanged == 1 ? " is" : "s are") + " unchanged");
    }
  }

  private static void relays(PrintWriter out, List<RelayChange> relays) {
    for (RelayChange c : relays) {
      out.println("    node " + c.getNode() + " " + switch (c.getAction()) {
        case "start" -> "starts";
        case "stop" -> "stops";
        default -> "restarts";
      } + " relay " + c.getService() + " (" + c.getReason() + ")");
    }
  }

  private static String verb(ApplyAction a, boolean dryRun) {
    String v = switch (a) {
      case APPLY_ACTION_CREATED -> "created";
      case APPLY_ACTION_UPDATED -> "updated";
      default -> "unchanged";
    };
    return dryRun && a != ApplyAction.APPLY_ACTION_UNCHANGED ? v + " (dry run)" : v;
  }

  /** A value as the file spells it, on one line: a list as [a, b], a PEM by its size. */
  static String value(Object v) {
    if (v == null) {
      return "(unset)";
    }
    if (v instanceof List<?> l) {
      return "[" + String.join(", ", l.stream().map(String::valueOf).toList()) + "]";
    }
    String s = String.valueOf(v);
    return s.contains("\n") ? "(" + s.lines().count() + " lines of PEM)" : s;
  }
}
