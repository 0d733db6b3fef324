package io.adit.agent.revocation;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.adit.agent.tls.TestPki;
import io.adit.api.v1.Revocation;
import io.adit.common.pki.Keys;
import io.adit.store.v1.IdentityRecord;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RevocationsTest {
  static final TestPki.Ca CA = TestPki.newCa("ca");
  static final Timestamp T = Timestamp.newBuilder().setSeconds(1_750_000_000L).build();

  @TempDir
  Path dir;

  @Test
  void refusesARevokedSerialOrAnyCertificateOfARevokedIdentityAndSaysWhy() {
    TestPki.Leaf alice = CA.client("alice");
    TestPki.Leaf bob = CA.client("bob");
    TestPki.Leaf web = CA.server("web");
    Revocations r = new Revocations(
        Map.of(Keys.serialHex(web.cert()), Revocation.newBuilder().setSerial(Keys.serialHex(web.cert())).setName("web")
            .setRevokeTime(T).setRevokedBy("spiffe://adit.local/admin/ops").setReason("key leaked").build()),
        Map.of("alice", IdentityRecord.newBuilder().setName("alice").setRevokeTime(T)
            .setRevokedBy("spiffe://adit.local/admin/admin").build()));

    assertThat(r.refusal(web.cert())).hasValue("certificate " + Keys.serialHex(web.cert())
        + " (web) was revoked at 2025-06-15T15:06:40Z by ops: key leaked");
    assertThat(r.refusal(alice.cert())).hasValueSatisfying(why -> assertThat(why)
        .contains("is for identity alice, revoked at 2025-06-15T15:06:40Z by admin"));
    assertThat(r.refusal(bob.cert())).isEmpty();
  }

  @Test
  void theSnapshotKeepsThemAcrossARestart() {
    TestPki.Leaf alice = CA.client("alice");
    Revocations r = new Revocations(Map.of("ab12", Revocation.newBuilder().setSerial("ab12").setRevokeTime(T).build()),
        Map.of("alice", IdentityRecord.newBuilder().setName("alice").setRevokeTime(T).build()));
    new RevocationSnapshot(dir).save(r);

    Revocations loaded = new RevocationSnapshot(dir).load().orElseThrow();

    assertThat(loaded).isEqualTo(r);
    assertThat(loaded.refusal(alice.cert())).isPresent();
    assertThat(new RevocationSnapshot(dir.resolve("elsewhere")).load()).isEmpty();
  }
}
