package io.adit.agent.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.agent.tls.TestPki;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trust bundle an agent starts with: the stored one, unless a join since brought another. */
class TrustBundleTest {
  @TempDir
  Path dir;

  @Test
  void aRestartTrustsTheStoredBundleAndARejoinTheBundleItBrought() throws Exception {
    TestPki.Ca joined = TestPki.newCa("joined-ca");
    TestPki.Ca rotated = TestPki.newCa("rotated-ca");
    TrustBundle first = TrustBundle.load(dir, List.of(joined.cert()));
    assertThat(first.set(List.of(rotated.cert()))).isTrue();

    // A restart keeps what the agent followed in etcd (a rotation), not the CA of its old join.
    assertThat(TrustBundle.load(dir, List.of(joined.cert())).cas()).containsExactly(rotated.cert());

    // A join stores a new credential and forgets the bundle: a node that missed a rotation while
    // it was away trusts what the controller gave it now, not a bundle whose CA has retired.
    TrustBundle.forget(dir);
    TestPki.Ca current = TestPki.newCa("current-ca");
    assertThat(TrustBundle.load(dir, List.of(current.cert())).cas()).containsExactly(current.cert());
  }
}
