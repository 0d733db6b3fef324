package io.adit.controller.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.api.v1.AuditEvent;
import io.adit.controller.store.Txn;
import io.adit.controller.store.etcd.EtcdKv;
import io.adit.testing.EtcdExtension;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The audit record rides on the change's own transaction: once, only if it succeeds, and is pruned by age. */
class AuditingKvIT {
  @RegisterExtension
  static final EtcdExtension etcd = new EtcdExtension();

  static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

  EtcdKv raw;
  AuditingKv kv;

  @BeforeEach
  void setUp() {
    raw = EtcdKv.connect(etcd.endpoints(), Duration.ofSeconds(5), null);
    kv = new AuditingKv(raw, Clock.fixed(T, ZoneOffset.UTC));
    raw.commit(Txn.create().deletePrefix("/adit/v1/"));
  }

  @AfterEach
  void tearDown() {
    raw.close();
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aChangeIsRecordedOnceWithItsFirstSuccessfulTransactionAndNothingElseIs() {
    boolean lost = Audit.of("spiffe://adit.local/admin/alice", "service.create", "web",
        () -> kv.commit(Txn.create().ifModRevision("/adit/v1/services/web", 12345).put("/adit/v1/services/web", bytes("x"))));
    assertThat(lost).isFalse();
    assertThat(kv.events(null, "")).as("a lost compare-and-swap records nothing").isEmpty();

    Audit.of("spiffe://adit.local/admin/alice", "service.create", "web", () -> {
      kv.commit(Txn.create().ifAbsent("/adit/v1/services/web").put("/adit/v1/services/web", bytes("v1")));
      Audit.detail("second write of the same call");
      return kv.commit(Txn.create().put("/adit/v1/services/web-extra", bytes("v2")));
    });
    kv.commit(Txn.create().put("/adit/v1/services/unaudited", bytes("v3")));

    assertThat(kv.events(null, "")).singleElement().satisfies(e -> {
      assertThat(e.getActor()).isEqualTo("spiffe://adit.local/admin/alice");
      assertThat(e.getAction()).isEqualTo("service.create");
      assertThat(e.getTarget()).isEqualTo("web");
      assertThat(e.getTime().getSeconds()).isEqualTo(T.getEpochSecond());
    });
    assertThat(raw.get("/adit/v1/services/web")).isPresent();
  }

  @Test
  void eventsAreFilteredByTimeAndActionAndPrunedByAge() {
    Audit.of("a", "identity.create", "c1", () -> kv.commit(Txn.create().put("/adit/v1/identities/c1", bytes("x"))));
    AuditingKv later = new AuditingKv(raw, Clock.fixed(T.plusSeconds(3600), ZoneOffset.UTC));
    Audit.of("a", "identity.revoke", "c1", () -> later.commit(Txn.create().put("/adit/v1/identities/c1", bytes("y"))));

    assertThat(kv.events(T.plusSeconds(60), "")).extracting(AuditEvent::getAction).containsExactly("identity.revoke");
    assertThat(kv.events(null, "identity.create")).hasSize(1);

    assertThat(kv.prune(T.plusSeconds(60))).isEqualTo(1);
    assertThat(kv.events(null, "")).extracting(AuditEvent::getAction).containsExactly("identity.revoke");
  }
}
