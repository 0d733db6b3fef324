package io.adit.agent.status;

import io.adit.api.v1.NodeServiceStatus;
import io.adit.common.store.KeyLayout;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes what this node runs for each service to {@code nodes/<node>/status/<service>}, under the
 * node's own prefix. Skips writes that would change nothing but the time, so a quiet fleet does
 * not write to etcd all day. Failures are logged and retried at the next report: status is
 * advisory, serving never waits for it.
 */
public final class StatusWriter {
  private static final Logger log = LoggerFactory.getLogger(StatusWriter.class);

  private final Client etcd;
  private final String node;
  private final Duration timeout;
  private final Map<String, NodeServiceStatus> written = new HashMap<>();

  public StatusWriter(Client etcd, String node, Duration timeout) {
    this.etcd = etcd;
    this.node = node;
    this.timeout = timeout;
  }

  public void put(String service, NodeServiceStatus status) {
    NodeServiceStatus last = written.get(service);
    if (last != null && last.toBuilder().clearUpdateTime().build().equals(status.toBuilder().clearUpdateTime().build())) {
      return;
    }
    try {
      etcd.getKVClient().put(key(service), ByteSequence.from(status.toByteArray())).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      written.put(service, status);
    } catch (Exception e) {
      written.remove(service);
      log.debug("cannot write the status of {} to etcd: {}", service, e.getMessage());
    }
  }

  public void delete(String service) {
    written.remove(service);
    try {
      etcd.getKVClient().delete(key(service)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.debug("cannot delete the status of {} from etcd: {}", service, e.getMessage());
    }
  }

  private ByteSequence key(String service) {
    return ByteSequence.from(KeyLayout.nodeStatus(node, service), StandardCharsets.UTF_8);
  }
}
