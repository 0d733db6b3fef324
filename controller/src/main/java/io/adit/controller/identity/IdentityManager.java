package io.adit.controller.identity;

import io.adit.api.v1.Identity;
import io.adit.common.proto.Timestamps;
import io.adit.common.store.KeyLayout;
import io.adit.common.validation.Names;
import io.adit.controller.errors.AlreadyExistsException;
import io.adit.controller.errors.FailedPreconditionException;
import io.adit.controller.errors.NotFoundException;
import io.adit.controller.store.Kv;
import io.adit.controller.store.Records;
import io.adit.controller.store.Txn;
import io.adit.store.v1.IdentityRecord;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Client identities: names that client certificates are issued for. Only public parts are
 * stored; keys are made where they are used and never reach the controller.
 */
public final class IdentityManager {
  private static final int CAS_ATTEMPTS = 5;

  private final Kv kv;
  private final Clock clock;

  public IdentityManager(Kv kv, Clock clock) {
    this.kv = kv;
    this.clock = clock;
  }

  public Identity create(String name, String caller) {
    return create(name, false, caller);
  }

  /** With {@code dryRun}, only checks that the identity could be created. */
  public Identity create(String name, boolean dryRun, String caller) {
    Names.requireDnsLabel("identity name", name);
    String key = KeyLayout.identity(name);
    IdentityRecord record = IdentityRecord.newBuilder()
        .setName(name)
        .setCreateTime(Timestamps.of(clock.instant()))
        .setCreatedBy(caller)
        .build();
    if (dryRun) {
      if (kv.get(key).isPresent()) {
        throw alreadyExists(name);
      }
      return view(record, 0);
    }
    if (!kv.commit(Txn.create().ifAbsent(key).put(key, record.toByteArray()))) {
      throw alreadyExists(name);
    }
    return get(name);
  }

  private static AlreadyExistsException alreadyExists(String name) {
    return new AlreadyExistsException("identity '" + name + "' already exists: issue a certificate for it with aditctl identity issue " + name);
  }

  public Identity get(String name) {
    Kv.Entry e = entry(name);
    return view(Records.parse(IdentityRecord.parser(), e), e.modRevision());
  }

  public List<Identity> list() {
    List<Identity> out = new ArrayList<>();
    for (Kv.Entry e : kv.list(KeyLayout.IDENTITIES).entries()) {
      out.add(view(Records.parse(IdentityRecord.parser(), e), e.modRevision()));
    }
    return out;
  }

  /** Marks the identity revoked; revoking twice keeps the first time. */
  public Identity revoke(String name, String caller) {
    return modify(name, r -> Timestamps.isSet(r.getRevokeTime())
        ? r
        : r.toBuilder().setRevokeTime(Timestamps.of(clock.instant())).setRevokedBy(caller).build());
  }

  /** Refuses issuance for an unknown or revoked identity, with the reason. */
  public void requireIssuable(String name) {
    IdentityRecord r = Records.parse(IdentityRecord.parser(), entry(name));
    if (Timestamps.isSet(r.getRevokeTime())) {
      throw new FailedPreconditionException("identity '" + name + "' was revoked at "
          + Timestamps.toInstant(r.getRevokeTime()) + " by " + r.getRevokedBy() + ": no certificate is issued for it");
    }
  }

  /** Records the last certificate issued, for `identity get`. */
  public void recordIssued(String name, String serialHex, Instant notAfter) {
    modify(name, r -> r.toBuilder().setLastSerial(serialHex).setLastNotAfter(Timestamps.of(notAfter)).build());
  }

  private Identity modify(String name, java.util.function.UnaryOperator<IdentityRecord> change) {
    for (int i = 0; i < CAS_ATTEMPTS; i++) {
      Kv.Entry e = entry(name);
      IdentityRecord before = Records.parse(IdentityRecord.parser(), e);
      IdentityRecord after = change.apply(before);
      if (after.equals(before)) {
        return view(before, e.modRevision());
      }
      if (kv.commit(Txn.create().ifModRevision(e.key(), e.modRevision()).put(e.key(), after.toByteArray()))) {
        return get(name);
      }
    }
    throw new FailedPreconditionException("identity '" + name + "' kept changing while it was updated: retry");
  }

  private Kv.Entry entry(String name) {
    return kv.get(KeyLayout.identity(name)).orElseThrow(() -> new NotFoundException(
        "identity '" + name + "' does not exist: create it with aditctl identity create " + name));
  }

  private static Identity view(IdentityRecord r, long version) {
    return Identity.newBuilder()
        .setName(r.getName())
        .setCreateTime(r.getCreateTime())
        .setCreatedBy(r.getCreatedBy())
        .setRevoked(Timestamps.isSet(r.getRevokeTime()))
        .setRevokeTime(r.getRevokeTime())
        .setRevokedBy(r.getRevokedBy())
        .setVersion(version)
        .setLastSerial(r.getLastSerial())
        .setLastNotAfter(r.getLastNotAfter())
        .build();
  }
}
