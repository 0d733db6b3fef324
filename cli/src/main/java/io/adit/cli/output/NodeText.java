package io.adit.cli.output;

import io.adit.api.v1.Node;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;

/** Nodes for people. */
public final class NodeText {
  private NodeText() {}

  public static void list(PrintWriter out, List<Node> nodes, Instant now) {
    Table t = Table.of("NAME", "READY", "LAST HEARTBEAT", "ADDRESS", "JOINED");
    for (Node n : nodes) {
      t.row(n.getName(), n.getReady() ? "Ready" : "NotReady", Human.relative(n.getLastHeartbeat(), now),
          n.getAdvertiseAddress(), Human.relative(n.getJoinTime(), now));
    }
    t.print(out);
  }
}
