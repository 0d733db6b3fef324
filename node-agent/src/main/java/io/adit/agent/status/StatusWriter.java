package io.adit.agent.status;

import io.adit.api.v1.NodeServiceStatus;
import io.adit.common.store.KeyLayout;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes what this node runs for each service to {@code nodes/<node>/status/<service>}, under the
 * node's own prefix. Never blocks its caller: the latest status per service waits here and is
 * written asynchronously, one write in flight at a time, so an unreachable etcd slows nothing
 * down and only the newest status is written when it returns. Skips writes that would change
 * nothing but the time, so a quiet fleet does not write to etcd all day.
 */
public final class StatusWriter {
  private static final Logger log = LoggerFactory.getLogger(StatusWriter.class);

  private final Client etcd;
  private final String node;
  private final Duration timeout;
  /** Per service: the status to write, or empty to delete. */
  private final Map<String, Optional<NodeServiceStatus>> pending = new LinkedHashMap<>();
  private final Map<String, NodeServiceStatus> written = new HashMap<>();
  private boolean inFlight;

  public StatusWriter(Client etcd, String node, Duration timeout) {
    this.etcd = etcd;
    this.node = node;
    this.timeout = timeout;
  }

  public synchronized void put(String service, NodeServiceStatus status) {
    NodeServiceStatus last = written.get(service);
    if (last != null && !pending.containsKey(service) && withoutTime(last).equals(withoutTime(status))) {
      return;
    }
    pending.put(service, Optional.of(status));
    flush();
  }

  public synchronized void delete(String service) {
    pending.put(service, Optional.empty());
    flush();
  }

  /** Tries again what an earlier failure left pending. */
  public synchronized void retry() {
    flush();
  }

  private static NodeServiceStatus withoutTime(NodeServiceStatus s) {
    return s.toBuilder().clearUpdateTime().build();
  }

  private synchronized void flush() {
    if (inFlight || pending.isEmpty()) {
      return;
    }
    var next = pending.entrySet().iterator().next();
    String service = next.getKey();
    Optional<NodeServiceStatus> status = next.getValue();
    pending.remove(service);
    inFlight = true;
    ByteSequence key = ByteSequence.from(KeyLayout.nodeStatus(node, service), StandardCharsets.UTF_8);
    var write = status.isPresent()
        ? etcd.getKVClient().put(key, ByteSequence.from(status.get().toByteArray())).thenApply(r -> true)
        : etcd.getKVClient().delete(key).thenApply(r -> true);
    write.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((ok, error) -> done(service, status, error));
  }

  private synchronized void done(String service, Optional<NodeServiceStatus> status, Throwable error) {
    inFlight = false;
    if (error == null) {
      if (status.isPresent()) {
        written.put(service, status.get());
      } else {
        written.remove(service);
      }
    } else {
      written.remove(service);
      // Keep it for the next attempt unless something newer came meanwhile.
      pending.putIfAbsent(service, status);
      log.debug("cannot write the status of {} to etcd: {}", service, error.getMessage());
      return; // the next report (every few seconds) flushes again
    }
    flush();
  }
}
