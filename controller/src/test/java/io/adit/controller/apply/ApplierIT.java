package io.adit.controller.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.adit.api.v1.ApplyAction;
import io.adit.api.v1.ApplyObject;
import io.adit.api.v1.ApplyResponse;
import io.adit.api.v1.ApplyResult;
import io.adit.api.v1.AuditEvent;
import io.adit.api.v1.IdentitySpec;
import io.adit.api.v1.Mode;
import io.adit.api.v1.RelayChange;
import io.adit.api.v1.ServiceSpec;
import io.adit.common.store.KeyLayout;
import io.adit.common.validation.InvalidInputException;
import io.adit.controller.audit.AuditingKv;
import io.adit.controller.errors.ConflictException;
import io.adit.controller.store.Kv;
import io.adit.controller.store.Records;
import io.adit.controller.store.Txn;
import io.adit.controller.store.etcd.EtcdKv;
import io.adit.store.v1.NodeRecord;
import io.adit.store.v1.ServiceRecord;
import io.adit.testing.EtcdExtension;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Apply against a real etcd (with its default limit of 128 operations per transaction): all or
 * nothing, a conflict when something changed between the read and the write, batches for large
 * files, field-by-field changes with the relays they restart, and dry runs that write nothing.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ApplierIT {
  @RegisterExtension
  static final EtcdExtension etcd = new EtcdExtension();

  static final String ADMIN = "spiffe://adit.local/admin/alice";

  EtcdKv raw;
  AuditingKv kv;
  Applier applier;

  @BeforeEach
  void setUp() {
    raw = EtcdKv.connect(etcd.endpoints(), Duration.ofSeconds(5), null);
    raw.commit(Txn.create().deletePrefix("/adit/v1/"));
    kv = new AuditingKv(raw, Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
    applier = new Applier(kv, Clock.systemUTC());
    for (String node : List.of("node-a", "node-b")) {
      raw.commit(Txn.create().put(KeyLayout.nodeInfo(node),
          NodeRecord.newBuilder().setName(node).setAdvertiseAddress("127.0.0.1").build().toByteArray()));
    }
  }

  @AfterEach
  void tearDown() {
    raw.close();
  }

  static ServiceSpec web(String connect) {
    return ServiceSpec.newBuilder().setName("web").setAccept("8443").addConnect(connect).addNodes("node-a").addNodes("node-b")
        .addAllow("client1").build();
  }

  static ServiceSpec webClient() {
    return ServiceSpec.newBuilder().setName("web-client").setMode(Mode.MODE_CLIENT).setAccept("6000").setTo("web")
        .setIdentity("client1").addNodes("node-b").build();
  }

  static ApplyObject service(ServiceSpec spec) {
    return ApplyObject.newBuilder().setService(spec).setSource("web.yaml line 1").build();
  }

  static ApplyObject identity(String name) {
    return ApplyObject.newBuilder().setIdentity(IdentitySpec.newBuilder().setName(name)).build();
  }

  List<AuditEvent> audit() {
    return kv.events(null, "");
  }

  @Test
  void createsEveryObjectInOneTransactionAndASecondApplyChangesNothing() {
    List<ApplyObject> file = List.of(service(webClient()), service(web("127.0.0.1:8080")), identity("client1"));
    ApplyResponse first = applier.apply(file, false, ADMIN);

    assertThat(first.getBatches()).isEqualTo(1);
    assertThat(first.getResultsList()).extracting(ApplyResult::getName, ApplyResult::getAction, ApplyResult::getBatch)
        .containsExactly(
            tuple("web-client", ApplyAction.APPLY_ACTION_CREATED, 1),
            tuple("web", ApplyAction.APPLY_ACTION_CREATED, 1),
            tuple("client1", ApplyAction.APPLY_ACTION_CREATED, 1));
    assertThat(first.getResults(1).getWarningsList()).as("client1 is declared in the same file").isEmpty();
    assertThat(first.getResults(1).getRelaysList()).extracting(RelayChange::getNode, RelayChange::getAction)
        .containsExactly(tuple("node-a", "start"), tuple("node-b", "start"));
    long revision = first.getResults(0).getVersion();
    assertThat(first.getResultsList()).allSatisfy(r -> assertThat(r.getVersion()).as("one transaction, one revision").isEqualTo(revision));
    assertThat(audit()).extracting(AuditEvent::getAction, AuditEvent::getTarget).containsExactlyInAnyOrder(
        tuple("service.create", "web-client"),
        tuple("service.create", "web"),
        tuple("identity.create", "client1"));

    ApplyResponse again = applier.apply(file, false, ADMIN);
    assertThat(again.getBatches()).isZero();
    assertThat(again.getResultsList()).allSatisfy(r -> {
      assertThat(r.getAction()).isEqualTo(ApplyAction.APPLY_ACTION_UNCHANGED);
      assertThat(r.getRelaysList()).isEmpty();
    });
    assertThat(audit()).hasSize(3);
  }

  @Test
  void anUpdateNamesTheChangedFieldsAndTheRelaysThatRestartIncludingClientsOfAMovedTarget() {
    applier.apply(List.of(identity("client1"), service(web("127.0.0.1:8080")), service(webClient())), false, ADMIN);

    ServiceSpec changed = web("127.0.0.1:9090").toBuilder().setAccept("9443").build();
    ApplyResponse diff = applier.apply(List.of(service(changed)), true, ADMIN);
    ApplyResult r = diff.getResults(0);
    assertThat(r.getAction()).isEqualTo(ApplyAction.APPLY_ACTION_UPDATED);
    assertThat(r.getChangedFieldsList()).containsExactly("accept", "connect");
    assertThat(r.getBefore().getConnectList()).containsExactly("127.0.0.1:8080");
    assertThat(r.getAfter().getConnectList()).containsExactly("127.0.0.1:9090");
    assertThat(r.getRelaysList()).extracting(RelayChange::getNode, RelayChange::getService, RelayChange::getAction, RelayChange::getReason)
        .containsExactly(
            tuple("node-a", "web", "restart", "changed accept, connect"),
            tuple("node-b", "web", "restart", "changed accept, connect"),
            tuple("node-b", "web-client", "restart", "changed target addresses (service web moved)"));
    assertThat(diff.getBatches()).isZero();
    assertThat(spec("web").getConnectList()).as("a dry run writes nothing").containsExactly("127.0.0.1:8080");

    ApplyResponse applied = applier.apply(List.of(service(changed)), false, ADMIN);
    assertThat(applied.getResults(0).getAction()).isEqualTo(ApplyAction.APPLY_ACTION_UPDATED);
    assertThat(spec("web").getConnectList()).containsExactly("127.0.0.1:9090");
    assertThat(audit()).filteredOn(e -> e.getAction().equals("service.update")).singleElement()
        .satisfies(e -> assertThat(e.getDetail()).isEqualTo("apply: changed accept, connect"));
  }

  /** A store where someone else writes {@code key} just before the applier's transaction. */
  Kv racing(String key, byte[] value) {
    return new Kv() {
      @Override
      public Optional<Entry> get(String k) {
        return kv.get(k);
      }

      @Override
      public Listing list(String prefix) {
        return kv.list(prefix);
      }

      @Override
      public boolean commit(Txn txn) {
        raw.commit(Txn.create().put(key, value));
        return kv.commit(txn);
      }

      @Override
      public String describe() {
        return kv.describe();
      }
    };
  }

  @Test
  void aChangeBetweenTheReadAndTheWriteIsAConflictAndNothingIsWritten() {
    applier.apply(List.of(service(web("127.0.0.1:8080"))), false, ADMIN);
    int auditBefore = audit().size();
    Kv racing = racing(KeyLayout.service("web"), ServiceRecord.newBuilder().setSpec(web("127.0.0.1:7070")).build().toByteArray());

    assertThatThrownBy(() -> new Applier(racing, Clock.systemUTC()).apply(
        List.of(identity("client1"), service(web("127.0.0.1:9090"))), false, ADMIN))
        .isInstanceOf(ConflictException.class)
        .hasMessage("Service 'web' changed since it was read, so nothing was written: run apply again");

    assertThat(raw.get(KeyLayout.identity("client1"))).as("the identity in the same apply").isEmpty();
    assertThat(spec("web").getConnectList()).as("the other writer's change stays").containsExactly("127.0.0.1:7070");
    assertThat(audit()).hasSize(auditBefore);
  }

  @Test
  void anObjectDeclaredUnchangedIsComparedTooSoAClientIsNotCreatedForATargetChangedMeanwhile() {
    applier.apply(List.of(identity("client1"), service(web("127.0.0.1:8080"))), false, ADMIN);
    Kv racing = racing(KeyLayout.service("web"), ServiceRecord.newBuilder().setSpec(web("127.0.0.1:7070")).build().toByteArray());

    assertThatThrownBy(() -> new Applier(racing, Clock.systemUTC()).apply(
        List.of(identity("client1"), service(web("127.0.0.1:8080")), service(webClient())), false, ADMIN))
        .isInstanceOf(ConflictException.class)
        .hasMessage("Service 'web' changed since it was read, so nothing was written: run apply again");
    assertThat(raw.get(KeyLayout.service("web-client"))).isEmpty();
  }

  @Test
  void moreObjectsThanOneTransactionHoldsGoInAtomicBatchesInDependencyOrder() {
    List<ApplyObject> file = new ArrayList<>();
    file.add(service(webClient()));
    IntStream.range(0, 140).forEach(i -> file.add(identity(String.format("client%03d", i))));
    file.add(identity("client1"));
    file.add(service(web("127.0.0.1:8080")));

    ApplyResponse r = applier.apply(file, false, ADMIN);

    assertThat(r.getBatchSize()).isEqualTo(64);
    assertThat(r.getBatches()).isEqualTo(3);
    assertThat(raw.list(KeyLayout.IDENTITIES).entries()).hasSize(141);
    assertThat(raw.list(KeyLayout.SERVICES).entries()).hasSize(2);
    ApplyResult web = r.getResultsList().stream().filter(x -> x.getName().equals("web")).findFirst().orElseThrow();
    ApplyResult client = r.getResults(0);
    assertThat(client.getBatch()).as("web-client comes after the web it names").isEqualTo(3);
    assertThat(web.getBatch()).isEqualTo(3);
    assertThat(audit()).hasSize(143);
  }

  @Test
  void anInvalidObjectOrAMissingReferenceRefusesTheWholeFileNamingWhere() {
    ServiceSpec bad = web("127.0.0.1:8080").toBuilder().setName("other").setAccept("99999").build();
    assertThatThrownBy(() -> applier.apply(List.of(identity("client1"), service(bad)), false, ADMIN))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("web.yaml line 1: Service 'other': --accept");
    assertThatThrownBy(() -> applier.apply(List.of(identity("client1"), service(webClient())), false, ADMIN))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("Service 'web-client': to names service 'web', which neither exists nor is declared");
    assertThatThrownBy(() -> applier.apply(List.of(identity("client1"), identity("client1")), false, ADMIN))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("Identity 'client1' is declared twice");
    assertThat(raw.list("/adit/v1/identities/").entries()).isEmpty();
    assertThat(audit()).isEmpty();
  }

  @Test
  void aDryRunWritesNothingAndRecordsNothing() {
    ApplyResponse r = applier.apply(List.of(identity("client1"), service(web("127.0.0.1:8080"))), true, ADMIN);
    assertThat(r.getResultsList()).extracting(ApplyResult::getAction).containsOnly(ApplyAction.APPLY_ACTION_CREATED);
    assertThat(r.getBatches()).isZero();
    assertThat(raw.list(KeyLayout.SERVICES).entries()).isEmpty();
    assertThat(raw.list(KeyLayout.IDENTITIES).entries()).isEmpty();
    assertThat(audit()).isEmpty();
  }

  ServiceSpec spec(String name) {
    return Records.parse(ServiceRecord.parser(), raw.get(KeyLayout.service(name)).orElseThrow()).getSpec();
  }
}
