package io.adit.agent.watch;

import com.google.protobuf.InvalidProtocolBufferException;
import io.adit.common.store.KeyLayout;
import io.adit.store.v1.TrustBundleRecord;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the cluster's trust bundle ({@code trust/bundle}: public CA certificates only, never
 * the sealed CA keys under {@code ca/}) with the same list/watch/relist loop as the specs, on
 * the agent's reconcile thread, and hands every bundle it reads to the listener (also an
 * unchanged one: the listener reports what it holds).
 */
public final class TrustWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TrustWatcher.class);

  private final PrefixWatcher<TrustBundleRecord> watcher;

  public TrustWatcher(Client etcd, ScheduledExecutorService loop, Duration timeout, Consumer<TrustBundleRecord> listener) {
    this.watcher = new PrefixWatcher<>(etcd, KeyLayout.TRUST, "trust bundle", TrustWatcher::parse, loop, timeout,
        (Map<String, TrustBundleRecord> all) -> {
          TrustBundleRecord bundle = all.get(KeyLayout.lastSegment(KeyLayout.TRUST_BUNDLE));
          if (bundle != null) {
            listener.accept(bundle);
          }
        }, log);
  }

  public void start(Duration resync) {
    watcher.start(resync);
  }

  private static Optional<TrustBundleRecord> parse(KeyValue kv) {
    try {
      return Optional.of(TrustBundleRecord.parseFrom(kv.getValue().getBytes()));
    } catch (InvalidProtocolBufferException e) {
      log.warn("ignoring the corrupt trust bundle at {}: {}", kv.getKey().toString(StandardCharsets.UTF_8), e.getMessage());
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    watcher.close();
  }
}
