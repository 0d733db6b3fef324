package io.adit.controller.audit;

import io.adit.api.v1.AuditEvent;
import io.adit.common.proto.Timestamps;
import io.adit.common.store.KeyLayout;
import io.adit.controller.store.Kv;
import io.adit.controller.store.Records;
import io.adit.controller.store.Txn;
import io.adit.store.v1.AuditRecord;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The store as the controller's managers see it, with the audit trail built in: the first
 * successful transaction of an audited call carries the audit record as one more write.
 */
public final class AuditingKv implements Kv {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Kv kv;
  private final Clock clock;

  public AuditingKv(Kv kv, Clock clock) {
    this.kv = kv;
    this.clock = clock;
  }

  @Override
  public Optional<Entry> get(String key) {
    return kv.get(key);
  }

  @Override
  public Listing list(String prefix) {
    return kv.list(prefix);
  }

  @Override
  public boolean commit(Txn txn) {
    Audit.Pending pending = Audit.pending();
    if (pending == null || pending.recorded || txn.writes().isEmpty()) {
      return kv.commit(txn);
    }
    Instant now = clock.instant();
    AuditEvent event = AuditEvent.newBuilder().setTime(Timestamps.of(now)).setActor(pending.actor)
        .setAction(pending.action).setTarget(pending.target).setDetail(pending.detail).build();
    Txn audited = Txn.create();
    txn.conditions().forEach(c -> audited.ifModRevision(c.key(), c.expectedModRevision()));
    txn.writes().forEach(w -> {
      if (w.prefix()) {
        audited.deletePrefix(w.key());
      } else if (w.value() == null) {
        audited.delete(w.key());
      } else {
        audited.put(w.key(), w.value());
      }
    });
    audited.put(key(now), AuditRecord.newBuilder().setEvent(event).build().toByteArray());
    boolean ok = kv.commit(audited);
    pending.recorded = ok;
    return ok;
  }

  /**
   * Adds the record of {@code event} to {@code txn}, for a call that makes several changes in
   * one transaction and records each of them (apply) instead of one pending change.
   */
  public static Txn record(Txn txn, AuditEvent event) {
    return txn.put(key(Timestamps.toInstant(event.getTime())), AuditRecord.newBuilder().setEvent(event).build().toByteArray());
  }

  /** Sortable by time: 13 digits of epoch milliseconds, then random hex against collisions. */
  private static String key(Instant now) {
    byte[] random = new byte[4];
    RANDOM.nextBytes(random);
    return KeyLayout.AUDIT + String.format("%013d", now.toEpochMilli()) + "-" + HexFormat.of().formatHex(random);
  }

  /** The recorded events since {@code since} (null: all) of {@code action} (empty: all), oldest first. */
  public List<AuditEvent> events(Instant since, String action) {
    String from = since == null ? null : KeyLayout.AUDIT + String.format("%013d", since.toEpochMilli());
    return kv.list(KeyLayout.AUDIT).entries().stream()
        .filter(e -> from == null || e.key().compareTo(from) >= 0)
        .map(e -> Records.parse(AuditRecord.parser(), e).getEvent())
        .filter(e -> action.isEmpty() || e.getAction().equals(action))
        .toList();
  }

  /**
   * Deletes the events recorded before {@code cutoff}, in batches well under etcd's limit of
   * operations per transaction; returns how many.
   */
  public int prune(Instant cutoff) {
    String before = KeyLayout.AUDIT + String.format("%013d", cutoff.toEpochMilli());
    List<String> old = kv.list(KeyLayout.AUDIT).entries().stream().map(Entry::key)
        .filter(k -> k.compareTo(before) < 0).toList();
    for (int i = 0; i < old.size(); i += 100) {
      Txn txn = Txn.create();
      old.subList(i, Math.min(old.size(), i + 100)).forEach(txn::delete);
      kv.commit(txn);
    }
    return old.size();
  }

  @Override
  public String describe() {
    return kv.describe();
  }
}
