package io.adit.common.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class KeyLayoutTest {

  static Stream<Arguments> documentedKeys() {
    return Stream.of(
        Arguments.of(KeyLayout.service("web"), "/adit/v1/services/web"),
        Arguments.of(KeyLayout.identity("billing"), "/adit/v1/identities/billing"),
        Arguments.of(KeyLayout.nodeInfo("n1"), "/adit/v1/nodes/n1/info"),
        Arguments.of(KeyLayout.nodePresence("n1"), "/adit/v1/nodes/n1/presence"),
        Arguments.of(KeyLayout.nodeStatus("n1", "web"), "/adit/v1/nodes/n1/status/web"),
        Arguments.of(KeyLayout.nodePrefix("n1"), "/adit/v1/nodes/n1/"),
        Arguments.of(KeyLayout.revoked("1f2e3d"), "/adit/v1/revoked/1f2e3d"),
        Arguments.of(KeyLayout.CA_META, "/adit/v1/ca/meta"),
        Arguments.of(KeyLayout.authority("ca-1"), "/adit/v1/ca/authorities/ca-1"),
        Arguments.of(KeyLayout.token("0a1b2c3d4e"), "/adit/v1/tokens/0a1b2c3d4e"),
        Arguments.of(KeyLayout.AUDIT, "/adit/v1/audit/"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("documentedKeys")
  void putsKeysWhereTheLayoutSays(String key, String expected) {
    assertThat(key).isEqualTo(expected).startsWith(KeyLayout.ROOT);
  }

  @Test
  void rangeEndCoversExactlyTheKeysUnderAPrefix() {
    String end = KeyLayout.rangeEnd(KeyLayout.nodeStatusPrefix("n1"));
    assertThat(end).isEqualTo("/adit/v1/nodes/n1/status0");
    assertThat(KeyLayout.nodeStatus("n1", "zzz")).isGreaterThanOrEqualTo(KeyLayout.nodeStatusPrefix("n1")).isLessThan(end);
    assertThat(KeyLayout.nodeStatus("n10", "web")).isGreaterThan(end);
    assertThat(KeyLayout.nodeInfo("n1")).isLessThan(KeyLayout.nodeStatusPrefix("n1"));
    assertThat(KeyLayout.rangeEnd(KeyLayout.SERVICES)).isEqualTo("/adit/v1/services0");
  }

  @Test
  void keepsOneNodesKeysOutOfAnotherNodesPrefix() {
    assertThat(KeyLayout.nodeInfo("n10")).doesNotStartWith(KeyLayout.nodePrefix("n1"));
    assertThat(KeyLayout.nodeStatus("n1", "web")).startsWith(KeyLayout.nodePrefix("n1"));
    assertThat(KeyLayout.service("web-2")).doesNotStartWith(KeyLayout.service("web") + "/");
  }

  static Stream<Arguments> nodeKeys() {
    return Stream.of(
        Arguments.of(KeyLayout.nodeInfo("n1"), "n1", "info"),
        Arguments.of(KeyLayout.nodePresence("worker-7"), "worker-7", "presence"),
        Arguments.of(KeyLayout.nodeStatus("n1", "web"), "n1", "status/web"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("nodeKeys")
  void splitsNodeKeysIntoTheNodeAndTheRest(String key, String node, String rest) {
    assertThat(KeyLayout.splitNodeKey(key)).containsExactly(node, rest);
  }

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(strings = {
      "/adit/v1/services/web",
      "/adit/v1/nodes/n1",
      "/adit/v1/nodes/",
      "/adit/v1/nodesx/n1/info",
      "/adit/v2/nodes/n1/info",
      "adit/v1/nodes/n1/info",
      ""})
  void splitsNothingElse(String key) {
    assertThat(KeyLayout.splitNodeKey(key)).isNull();
  }

  @Test
  void takesTheLastSegmentOfAKey() {
    assertThat(KeyLayout.lastSegment(KeyLayout.service("web"))).isEqualTo("web");
    assertThat(KeyLayout.lastSegment(KeyLayout.nodeStatus("n1", "db"))).isEqualTo("db");
    assertThat(KeyLayout.lastSegment("plain")).isEqualTo("plain");
  }
}
