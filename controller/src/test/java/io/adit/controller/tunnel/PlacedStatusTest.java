package io.adit.controller.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.api.v1.NodeServiceStatus;
import io.adit.api.v1.ServiceSpec;
import io.adit.common.store.KeyLayout;
import io.adit.controller.store.Kv;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlacedStatusTest {
  private final List<Kv.Entry> entries = new ArrayList<>();

  private void joined(String node, boolean present) {
    entries.add(new Kv.Entry(KeyLayout.nodeInfo(node), new byte[0], 1, 1));
    if (present) {
      entries.add(new Kv.Entry(KeyLayout.nodePresence(node), new byte[0], 1, 1));
    }
  }

  private void reports(String node, String service, String state) {
    entries.add(new Kv.Entry(KeyLayout.nodeStatus(node, service),
        NodeServiceStatus.newBuilder().setNode(node).setState(state).setActiveConnections(3).build().toByteArray(), 1, 1));
  }

  private static List<String> states(List<NodeServiceStatus> statuses) {
    return statuses.stream().map(s -> s.getNode() + "=" + s.getState()).toList();
  }

  @Test
  void everyPlacedNodeHasOneEntryAndUnplacedReportsAreLeftOut() {
    joined("n1", true);
    joined("n2", true);
    joined("n3", true);
    reports("n1", "web", "Listening");
    reports("n3", "web", "Listening"); // stale: web no longer runs on n3
    ServiceSpec web = ServiceSpec.newBuilder().setName("web").addNodes("n1").addNodes("n2").addNodes("n9").build();

    List<NodeServiceStatus> status = PlacedStatus.ofListing(entries).of(web);

    assertThat(states(status)).containsExactly("n1=Listening", "n2=Pending", "n9=Pending");
    assertThat(status.get(1).getError()).isEqualTo("node n2 has not reported this service yet");
    assertThat(status.get(2).getError()).contains("node n9 has not joined yet");
  }

  @Test
  void aNodeWithoutHeartbeatIsNotReadyWhateverItLastWrote() {
    joined("n1", false);
    reports("n1", "web", "Listening");
    ServiceSpec web = ServiceSpec.newBuilder().setName("web").setAllNodes(true).build();

    NodeServiceStatus n1 = PlacedStatus.ofListing(entries).of(web).get(0);

    assertThat(n1.getState()).isEqualTo("NotReady");
    assertThat(n1.getError()).contains("sends no heartbeat").contains("last reported Listening");
    assertThat(n1.getActiveConnections()).isEqualTo(3);
  }

  @Test
  void allNodesMeansEveryJoinedNode() {
    joined("n1", true);
    joined("n2", true);
    reports("n2", "web", "Failed");
    ServiceSpec web = ServiceSpec.newBuilder().setName("web").setAllNodes(true).build();

    assertThat(states(PlacedStatus.ofListing(entries).of(web))).containsExactly("n1=Pending", "n2=Failed");
  }
}
