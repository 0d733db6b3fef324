package io.adit.controller.revocation;

import io.adit.api.v1.Identity;
import io.adit.api.v1.Kind;
import io.adit.api.v1.Revocation;
import io.adit.common.proto.Timestamps;
import io.adit.common.store.KeyLayout;
import io.adit.common.validation.InvalidInputException;
import io.adit.controller.audit.Audit;
import io.adit.controller.identity.IdentityManager;
import io.adit.controller.store.Kv;
import io.adit.controller.store.Records;
import io.adit.controller.store.Txn;
import io.adit.store.v1.IssuedRecord;
import io.adit.store.v1.RevocationRecord;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revocations: of one certificate by serial, or of every certificate of a client identity.
 * Each is a record under {@code revoked/<serial>} that agents watch (they refuse the serial at
 * once and close its live connections) and that the CRL lists; a revoked identity is also
 * refused by name, which covers certificates the cluster never saw (made by hand from an
 * imported CA with the identity's spiffe:// URI). The certificates the CA signs are recorded under {@code issued/<serial>} so a
 * revocation knows what it revokes and until when; both kinds of record are pruned once the
 * certificate has expired.
 */
public final class RevocationManager {
  private static final Logger log = LoggerFactory.getLogger(RevocationManager.class);
  private static final Pattern HEX = Pattern.compile("[0-9a-f]{1,64}");
  /** etcd's default cap on operations in one transaction, with room to spare. */
  private static final int MAX_TXN_OPS = 100;

  private final Kv kv;
  private final IdentityManager identities;
  private final Clock clock;

  public RevocationManager(Kv kv, IdentityManager identities, Clock clock) {
    this.kv = kv;
    this.identities = identities;
    this.clock = clock;
  }

  /** Records a certificate the CA signed. Losing this record only makes a later revocation less specific. */
  public void recordIssued(String serial, Kind kind, String name, Instant notAfter) {
    recordIssued(serial, kind, name, notAfter, "");
  }

  /** As above, naming the CA that signed it ({@code caId}), which a CA rotation waits for. */
  public void recordIssued(String serial, Kind kind, String name, Instant notAfter, String caId) {
    IssuedRecord r = IssuedRecord.newBuilder().setSerial(serial).setKind(kind).setName(name)
        .setIssueTime(Timestamps.of(clock.instant())).setNotAfter(Timestamps.of(notAfter)).setCaId(caId).build();
    try {
      kv.commit(Txn.create().put(KeyLayout.issued(serial), r.toByteArray()));
    } catch (RuntimeException e) {
      log.warn("cannot record issued certificate {} ({} {}): {}; revoking it by serial still works", serial,
          kind, name, e.getMessage());
    }
  }

  /** Revokes one certificate. Revoking it again keeps the first revocation. */
  public Revocation revoke(String serialText, String reason, String caller) {
    String serial = normalize(serialText);
    String key = KeyLayout.revoked(serial);
    Optional<Kv.Entry> existing = kv.get(key);
    if (existing.isPresent()) {
      return Records.parse(RevocationRecord.parser(), existing.get()).getRevocation();
    }
    Revocation.Builder r = Revocation.newBuilder().setSerial(serial).setRevokeTime(Timestamps.of(clock.instant()))
        .setRevokedBy(caller).setReason(reason.strip());
    kv.get(KeyLayout.issued(serial)).map(e -> Records.parse(IssuedRecord.parser(), e)).ifPresent(issued -> r
        .setKind(issued.getKind()).setName(issued.getName()).setNotAfter(issued.getNotAfter()));
    Revocation revocation = r.build();
    Audit.detail(revocation.getName().isEmpty() ? reason.strip()
        : revocation.getKind().name().substring("KIND_".length()).toLowerCase(Locale.ROOT) + "/" + revocation.getName()
            + (reason.isBlank() ? "" : ": " + reason.strip()));
    if (!kv.commit(Txn.create().ifAbsent(key).put(key, RevocationRecord.newBuilder().setRevocation(revocation).build()
        .toByteArray()))) {
      return Records.parse(RevocationRecord.parser(), kv.get(key).orElseThrow()).getRevocation();
    }
    log.info("revoked certificate {} ({}) for {}", serial, revocation.getName().isEmpty() ? "not issued here"
        : revocation.getKind().name().substring("KIND_".length()).toLowerCase(Locale.ROOT) + " " + revocation.getName(),
        caller);
    return revocation;
  }

  /**
   * Revokes a client identity: the identity is marked revoked (no certificate is issued for it
   * any more, and agents refuse it by name), then each of its certificates that has not
   * expired is revoked by serial, for the CRL. Both steps are idempotent: running it again
   * completes a revocation that etcd cut short.
   */
  public Identity revokeIdentity(String name, String caller) {
    Identity identity = identities.revoke(name, caller);
    revokeAll(Kind.KIND_CLIENT, name, identity.getRevokeTime(), identity.getRevokedBy(), "identity " + name + " revoked");
    log.info("revoked identity {} for {}", name, caller);
    return identity;
  }

  /**
   * Revokes every unexpired certificate the CA signed for {@code kind}/{@code name}; returns
   * their serials. Idempotent.
   */
  public List<String> revokeAll(Kind kind, String name, String caller, String reason) {
    return revokeAll(kind, name, Timestamps.of(clock.instant()), caller, reason);
  }

  private List<String> revokeAll(Kind kind, String name, com.google.protobuf.Timestamp when, String caller,
      String reason) {
    Instant now = clock.instant();
    List<String> serials = new ArrayList<>();
    List<Txn> batches = new ArrayList<>();
    Txn txn = Txn.create();
    int ops = 0;
    for (Kv.Entry e : kv.list(KeyLayout.ISSUED).entries()) {
      IssuedRecord issued = Records.parse(IssuedRecord.parser(), e);
      if (issued.getKind() != kind || !issued.getName().equals(name)
          || Timestamps.toInstant(issued.getNotAfter()).isBefore(now)) {
        continue;
      }
      serials.add(issued.getSerial());
      String key = KeyLayout.revoked(issued.getSerial());
      if (kv.get(key).isPresent()) {
        continue;
      }
      Revocation r = Revocation.newBuilder().setSerial(issued.getSerial()).setKind(kind).setName(name)
          .setRevokeTime(when).setRevokedBy(caller)
          .setNotAfter(issued.getNotAfter()).setReason(reason).build();
      txn.put(key, RevocationRecord.newBuilder().setRevocation(r).build().toByteArray());
      if (++ops == MAX_TXN_OPS) {
        batches.add(txn);
        txn = Txn.create();
        ops = 0;
      }
    }
    if (ops > 0) {
      batches.add(txn);
    }
    batches.forEach(kv::commit);
    return serials;
  }

  /** Why the certificate with this serial was revoked ("at T by X: reason"), or empty. */
  public Optional<String> revokedSerial(String serial) {
    return kv.get(KeyLayout.revoked(serial)).map(e -> {
      Revocation r = Records.parse(RevocationRecord.parser(), e).getRevocation();
      return "revoked at " + Timestamps.toInstant(r.getRevokeTime()) + " by " + r.getRevokedBy()
          + (r.getReason().isEmpty() ? "" : " (" + r.getReason() + ")");
    });
  }

  /** The revocations in force (of certificates not known to have expired), oldest first. */
  public List<Revocation> list() {
    Instant now = clock.instant();
    return kv.list(KeyLayout.REVOKED).entries().stream()
        .map(e -> Records.parse(RevocationRecord.parser(), e).getRevocation())
        .filter(r -> !Timestamps.isSet(r.getNotAfter()) || Timestamps.toInstant(r.getNotAfter()).isAfter(now))
        .sorted(Comparator.comparing((Revocation r) -> Timestamps.toInstant(r.getRevokeTime())))
        .toList();
  }

  /**
   * Deletes issued and revocation records of certificates that expired more than {@code grace}
   * ago; returns how many. Each delete is conditional on the record being unchanged.
   */
  public int prune(Duration grace) {
    Instant cutoff = clock.instant().minus(grace);
    int pruned = 0;
    for (Kv.Entry e : kv.list(KeyLayout.ISSUED).entries()) {
      if (Timestamps.toInstant(Records.parse(IssuedRecord.parser(), e).getNotAfter()).isBefore(cutoff)
          && kv.commit(Txn.create().ifModRevision(e.key(), e.modRevision()).delete(e.key()))) {
        pruned++;
      }
    }
    for (Kv.Entry e : kv.list(KeyLayout.REVOKED).entries()) {
      Revocation r = Records.parse(RevocationRecord.parser(), e).getRevocation();
      if (Timestamps.isSet(r.getNotAfter()) && Timestamps.toInstant(r.getNotAfter()).isBefore(cutoff)
          && kv.commit(Txn.create().ifModRevision(e.key(), e.modRevision()).delete(e.key()))) {
        pruned++;
      }
    }
    return pruned;
  }

  /**
   * A serial as the CA writes it (lower-case hex, no leading zeros), from what an operator
   * pastes: {@code openssl x509 -serial} prints "serial=0A1B…", others use colons.
   */
  static String normalize(String text) {
    String s = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
    if (s.startsWith("serial=")) {
      s = s.substring("serial=".length());
    }
    s = s.replace(":", "");
    if (s.startsWith("0x")) {
      s = s.substring(2);
    }
    if (!HEX.matcher(s).matches()) {
      throw new InvalidInputException("'" + text + "' is not a certificate serial: give it in hex, as openssl x509 -serial"
          + " or aditctl service get prints it");
    }
    return new BigInteger(s, 16).toString(16);
  }
}
