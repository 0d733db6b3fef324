package io.adit.agent.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adit.agent.tls.TestPki;
import io.adit.common.config.ClientConfig;
import io.adit.common.pki.Pem;
import io.adit.common.validation.HostPort;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up with a stored credential: no network is involved unless a join is needed. */
class NodeIdentityTest {
  static final List<HostPort> CONTROLLERS = List.of(new HostPort("127.0.0.1", 1));

  @TempDir
  Path dir;

  private TestPki.Leaf store(String node, Instant notBefore, Instant notAfter) throws Exception {
    TestPki.Ca ca = TestPki.newCa("test-ca");
    TestPki.Leaf leaf = ca.issue(node, List.of(TestPki.uri("node", node)), KeyPurposeId.id_kp_clientAuth, notBefore, notAfter);
    ClientConfig.of(List.of("127.0.0.1:1"), "adit.local", "spiffe://adit.local/node/" + node, Pem.encode(ca.cert()),
        Pem.encode(leaf.cert()), Pem.encode(leaf.key())).write(dir.resolve(NodeIdentity.CONFIG));
    return leaf;
  }

  @Test
  void laterStartsUseTheStoredCredentialAndIgnoreTheToken() throws Exception {
    TestPki.Leaf leaf = store("node1", Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofHours(1)));
    NodeIdentity id = NodeIdentity.establish(dir, "node1", CONTROLLERS, Optional.of("ignored.token.here"), "127.0.0.1",
        List.of("http://127.0.0.1:2379"), Clock.systemUTC());
    assertThat(id.name()).isEqualTo("node1");
    assertThat(id.material().certificate()).isEqualTo(leaf.cert());
  }

  @Test
  void saysPlainlyWhenTheNodeCertificateExpiredWhileTheAgentWasDown() throws Exception {
    store("node1", Instant.now().minus(Duration.ofHours(2)), Instant.now().minus(Duration.ofHours(1)));
    assertThatThrownBy(() -> NodeIdentity.establish(dir, "node1", CONTROLLERS, Optional.empty(), "127.0.0.1", List.of(),
        Clock.systemUTC()))
        .isInstanceOf(NodeIdentity.JoinException.class)
        .hasMessageContaining("expired at")
        .hasMessageContaining("while the agent was down")
        .hasMessageContaining("aditctl node token create");
  }

  @Test
  void refusesADataDirThatBelongsToAnotherNode() throws Exception {
    store("node1", Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofHours(1)));
    assertThatThrownBy(() -> NodeIdentity.establish(dir, "node2", CONTROLLERS, Optional.empty(), "127.0.0.1", List.of(),
        Clock.systemUTC()))
        .hasMessageContaining("holds the credential of node node1, not node2");
  }

  @Test
  void aNodeThatNeverJoinedAsksForAToken() {
    assertThatThrownBy(() -> NodeIdentity.establish(dir, "node1", CONTROLLERS, Optional.empty(), "127.0.0.1", List.of(),
        Clock.systemUTC()))
        .hasMessageContaining("has not joined the cluster yet").hasMessageContaining("--join-token");
  }

}
