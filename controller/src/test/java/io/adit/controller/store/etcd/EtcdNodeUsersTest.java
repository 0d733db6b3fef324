package io.adit.controller.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.common.store.KeyLayout;
import io.etcd.jetcd.auth.Permission;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The ranges of a node's etcd role, checked the way etcd checks them: [key, range_end). */
class EtcdNodeUsersTest {

  @ParameterizedTest(name = "n1 {1} {0}: {2}")
  @CsvSource({
      "/adit/v1/services/web,              read,  true",
      "/adit/v1/services/web,              write, false",
      "/adit/v1/identities/client1,        read,  true",
      "/adit/v1/revoked/1f2e,              read,  true",
      "/adit/v1/revoked/1f2e,              write, false",
      "/adit/v1/nodes/n2/info,             read,  true",
      "/adit/v1/nodes/n1/presence,         write, true",
      "/adit/v1/nodes/n1/heartbeat,        write, true",
      "/adit/v1/nodes/n1/status/web,       write, true",
      "/adit/v1/nodes/n1/info,             write, false",
      "/adit/v1/nodes/n1/trust,            write, true",
      "/adit/v1/nodes/n2/trust,            write, false",
      "/adit/v1/trust/bundle,              read,  true",
      "/adit/v1/trust/bundle,              write, false",
      "/adit/v1/nodes/n10/status/web,      write, false",
      "/adit/v1/nodes/n2/status/web,       write, false",
      "/adit/v1/nodes/n2/presence,         write, false",
      "/adit/v1/ca/authorities/ca-1,       read,  false",
      "/adit/v1/ca/meta,                   read,  false",
      "/adit/v1/tokens/0a1b,               read,  false",
      "/adit/v1/issued/1f2e,               read,  false",
      "/adit/v1/audit/1700000000000-ab,    read,  false",
      "/adit/v1/servicesX,                 read,  false"})
  void aNodesRoleCoversOnlyWhatItsAgentNeeds(String key, String op, boolean allowed) {
    boolean permitted = EtcdNodeUsers.permissions("n1").stream()
        .filter(p -> op.equals("read") ? p.getPermType() != Permission.Type.WRITE : p.getPermType() != Permission.Type.READ)
        .anyMatch(p -> covers(p, key));
    assertThat(permitted).isEqualTo(allowed);
  }

  private static boolean covers(Permission p, String key) {
    String from = p.getKey().toString(StandardCharsets.UTF_8);
    String end = p.getRangeEnd().toString(StandardCharsets.UTF_8);
    return end.isEmpty() ? key.equals(from) : key.compareTo(from) >= 0 && key.compareTo(end) < 0;
  }

  @ParameterizedTest
  @CsvSource({"n1", "web-1"})
  void namesTheUserAfterTheNode(String node) {
    assertThat(EtcdNodeUsers.user(node)).isEqualTo("adit-node-" + node);
    assertThat(KeyLayout.nodeStatusPrefix(node)).startsWith(KeyLayout.nodePrefix(node));
  }
}
