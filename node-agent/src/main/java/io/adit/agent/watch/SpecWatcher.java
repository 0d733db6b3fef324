package io.adit.agent.watch;

import com.google.protobuf.InvalidProtocolBufferException;
import io.adit.api.v1.ServiceSpec;
import io.adit.common.store.KeyLayout;
import io.adit.store.v1.ServiceRecord;
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
 * Keeps a copy of every service spec in etcd ({@link PrefixWatcher} on the services prefix).
 * The listener runs on the agent's reconcile thread and gets the whole map after each change.
 */
public final class SpecWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SpecWatcher.class);

  private final PrefixWatcher<ServiceSpec> watcher;

  public SpecWatcher(Client etcd, ScheduledExecutorService loop, Duration timeout, Consumer<Map<String, ServiceSpec>> listener) {
    this.watcher = new PrefixWatcher<>(etcd, KeyLayout.SERVICES, "services", SpecWatcher::parse, loop, timeout,
        listener, log);
  }

  /** Starts listing and watching; resyncs every {@code resync}. */
  public void start(Duration resync) {
    watcher.start(resync);
  }

  private static Optional<ServiceSpec> parse(KeyValue kv) {
    try {
      return Optional.of(ServiceRecord.parseFrom(kv.getValue().getBytes()).getSpec());
    } catch (InvalidProtocolBufferException e) {
      log.warn("ignoring the corrupt service record at {}: {}", kv.getKey().toString(StandardCharsets.UTF_8), e.getMessage());
      return Optional.empty();
    }
  }

  /** When the specs last given to the listener arrived from etcd: {@link PrefixWatcher#seenNanos}. */
  public long seenNanos() {
    return watcher.seenNanos();
  }

  @Override
  public void close() {
    watcher.close();
  }
}
