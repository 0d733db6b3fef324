package io.adit.agent.watch;

import io.adit.api.v1.ServiceSpec;
import io.adit.common.store.KeyLayout;
import io.adit.common.validation.HostPort;
import io.adit.store.v1.NodeRecord;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a client-mode service with {@code --to SERVICE} connects: the advertised address of each
 * node that runs the target, with the target's port, sorted. Remembers the last answer per
 * target, so an unreachable etcd does not take addresses away from a running relay.
 */
public final class Targets {
  private static final Logger log = LoggerFactory.getLogger(Targets.class);

  private final Client etcd;
  private final Duration timeout;
  private final Map<String, List<String>> last = new ConcurrentHashMap<>();
  /** After a failed read, etcd is not asked again for a while: reconciling must not stall on it. */
  private volatile long quietUntilNanos;
  static final Duration QUIET = Duration.ofSeconds(15);

  public Targets(Client etcd, Duration timeout) {
    this.etcd = etcd;
    // Short: it runs on the reconcile thread; on failure the last known addresses serve.
    this.timeout = timeout.compareTo(Duration.ofSeconds(1)) < 0 ? timeout : Duration.ofSeconds(1);
  }

  public List<String> resolve(ServiceSpec client, Map<String, ServiceSpec> services) {
    ServiceSpec target = services.get(client.getTo());
    if (target == null) {
      return List.of();
    }
    int port = HostPort.parse("accept", target.getAccept(), false).port();
    if (System.nanoTime() - quietUntilNanos < 0) {
      return last.getOrDefault(client.getTo(), List.of());
    }
    try {
      List<String> out = new ArrayList<>();
      for (NodeRecord n : nodes(target)) {
        if (!n.getAdvertiseAddress().isEmpty()) {
          out.add(new HostPort(n.getAdvertiseAddress(), port).toString());
        }
      }
      out.sort(null);
      last.put(client.getTo(), out);
      return out;
    } catch (Exception e) {
      quietUntilNanos = System.nanoTime() + QUIET.toNanos();
      log.warn("cannot read the nodes of service {} from etcd ({}); keeping the addresses known before", client.getTo(),
          e.getMessage());
      return last.getOrDefault(client.getTo(), List.of());
    }
  }

  private List<NodeRecord> nodes(ServiceSpec target) throws Exception {
    List<NodeRecord> out = new ArrayList<>();
    if (target.getAllNodes()) {
      var r = etcd.getKVClient().get(bytes(KeyLayout.NODES), GetOption.builder().isPrefix(true).build())
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      for (KeyValue kv : r.getKvs()) {
        if (kv.getKey().toString(StandardCharsets.UTF_8).endsWith("/info")) {
          out.add(NodeRecord.parseFrom(kv.getValue().getBytes()));
        }
      }
      return out;
    }
    for (String node : target.getNodesList()) {
      var r = etcd.getKVClient().get(bytes(KeyLayout.nodeInfo(node))).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      for (KeyValue kv : r.getKvs()) {
        out.add(NodeRecord.parseFrom(kv.getValue().getBytes()));
      }
    }
    return out;
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }
}
