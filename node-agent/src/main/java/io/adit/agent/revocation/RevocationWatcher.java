package io.adit.agent.revocation;

import com.google.protobuf.InvalidProtocolBufferException;
import io.adit.agent.watch.PrefixWatcher;
import io.adit.api.v1.Revocation;
import io.adit.common.proto.Timestamps;
import io.adit.common.store.KeyLayout;
import io.adit.store.v1.IdentityRecord;
import io.adit.store.v1.RevocationRecord;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the revocations in etcd — {@code revoked/<serial>} and the revoked flag of
 * {@code identities/<name>} — on a thread of its own (never behind a slow reconcile), sets them
 * in the {@link RevocationState} the relays check, then tells the listener, which closes the
 * live connections that are now refused.
 */
public final class RevocationWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RevocationWatcher.class);

  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "revocations");
    t.setDaemon(true);
    return t;
  });
  private final RevocationState state;
  private final Consumer<Revocations> changed;
  private final PrefixWatcher<Revocation> serials;
  private final PrefixWatcher<IdentityRecord> identities;
  private Map<String, Revocation> lastSerials = Map.of();
  private Map<String, IdentityRecord> lastIdentities = Map.of();

  private final RevocationSnapshot snapshot;

  /** Sets {@code state} from the data dir's snapshot at once; etcd then takes over in {@link #start}. */
  public RevocationWatcher(Client etcd, Duration timeout, RevocationState state, Path dataDir,
      Consumer<Revocations> changed) {
    this.state = state;
    this.changed = changed;
    this.snapshot = new RevocationSnapshot(dataDir);
    snapshot.load().ifPresent(saved -> {
      state.set(saved);
      // Until etcd lists each prefix, the other half stays as it was saved.
      lastSerials = saved.serials();
      lastIdentities = saved.identities();
      log.info("refusing the {} certificate(s) and {} identity(ies) revoked before the restart until etcd answers",
          saved.serials().size(), saved.identities().size());
    });
    this.serials = new PrefixWatcher<>(etcd, KeyLayout.REVOKED, "revocations", RevocationWatcher::revocation, thread,
        timeout, m -> publish(m, lastIdentities), log);
    this.identities = new PrefixWatcher<>(etcd, KeyLayout.IDENTITIES, "identities", RevocationWatcher::revokedIdentity,
        thread, timeout, m -> publish(lastSerials, m), log);
  }

  public void start(Duration resync) {
    serials.start(resync);
    identities.start(resync);
  }

  private void publish(Map<String, Revocation> s, Map<String, IdentityRecord> i) {
    lastSerials = s;
    lastIdentities = i;
    Revocations next = new Revocations(s, i);
    if (next.equals(state.current())) {
      return;
    }
    state.set(next);
    snapshot.save(next);
    log.info("revocations now in force: {} certificate(s), {} identity(ies)", s.size(), i.size());
    try {
      changed.accept(next);
    } catch (RuntimeException e) {
      log.warn("applying new revocations to live connections failed: {}", e.getMessage(), e);
    }
  }

  private static Optional<Revocation> revocation(KeyValue kv) {
    try {
      return Optional.of(RevocationRecord.parseFrom(kv.getValue().getBytes()).getRevocation());
    } catch (InvalidProtocolBufferException e) {
      log.warn("ignoring the corrupt revocation at {}: {}", kv.getKey().toString(StandardCharsets.UTF_8), e.getMessage());
      return Optional.empty();
    }
  }

  /** Only revoked identities matter here. */
  private static Optional<IdentityRecord> revokedIdentity(KeyValue kv) {
    try {
      IdentityRecord r = IdentityRecord.parseFrom(kv.getValue().getBytes());
      return Timestamps.isSet(r.getRevokeTime()) ? Optional.of(r) : Optional.empty();
    } catch (InvalidProtocolBufferException e) {
      log.warn("ignoring the corrupt identity record at {}: {}", kv.getKey().toString(StandardCharsets.UTF_8), e.getMessage());
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    serials.close();
    identities.close();
    thread.shutdown();
  }
}
