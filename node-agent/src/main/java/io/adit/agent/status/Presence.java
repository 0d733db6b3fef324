package io.adit.agent.status;

import io.adit.common.proto.Timestamps;
import io.adit.common.store.KeyLayout;
import io.adit.store.v1.NodePresence;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's heartbeat: {@code nodes/<node>/presence} bound to a lease that the agent keeps
 * alive (gone = NotReady, for anyone who reads it), and {@code nodes/<node>/heartbeat} without a
 * lease, rewritten less often, so that a NotReady node still shows when it was last seen. A lost
 * lease (etcd down longer than its TTL) is replaced by a new one.
 */
public final class Presence implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Presence.class);
  static final long LEASE_TTL_SECONDS = 15;
  static final Duration KEEPALIVE = Duration.ofSeconds(5);
  static final int HEARTBEAT_EVERY = 3; // keepalives: a heartbeat write every 15 s

  private final Client etcd;
  private final String node;
  private final String version;
  private final Clock clock;
  private final Duration timeout;
  private final ScheduledExecutorService scheduler;
  private long lease;
  private int ticks;

  public Presence(Client etcd, String node, String version, Clock clock, Duration timeout, ScheduledExecutorService scheduler) {
    this.etcd = etcd;
    this.node = node;
    this.version = version;
    this.clock = clock;
    this.timeout = timeout;
    this.scheduler = scheduler;
  }

  public void start() {
    scheduler.scheduleWithFixedDelay(this::tick, 0, KEEPALIVE.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void tick() {
    try {
      if (lease != 0 && !keepAlive()) {
        lease = 0;
      }
      if (lease == 0) {
        lease = etcd.getLeaseClient().grant(LEASE_TTL_SECONDS).get(timeout.toMillis(), TimeUnit.MILLISECONDS).getID();
        put(KeyLayout.nodePresence(node), PutOption.builder().withLeaseId(lease).build());
        log.info("node {} is present in etcd (lease {})", node, Long.toHexString(lease));
      }
      if (ticks++ % HEARTBEAT_EVERY == 0) {
        put(KeyLayout.nodeHeartbeat(node), PutOption.DEFAULT);
      }
    } catch (Exception e) {
      log.warn("cannot renew this node's presence in etcd ({}); relays keep serving",
          e instanceof java.util.concurrent.TimeoutException || e.getCause() instanceof java.util.concurrent.TimeoutException
              ? "etcd did not answer in time" : String.valueOf(e.getMessage()));
    }
  }

  /** False when the lease is gone (expired while etcd was unreachable); throws when etcd is. */
  private boolean keepAlive() throws Exception {
    try {
      return etcd.getLeaseClient().keepAliveOnce(lease).get(timeout.toMillis(), TimeUnit.MILLISECONDS).getTTL() > 0;
    } catch (java.util.concurrent.ExecutionException e) {
      String m = String.valueOf(e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
      if (m.contains("requested lease not found")) {
        return false;
      }
      throw e;
    }
  }

  private void put(String key, PutOption option) throws Exception {
    NodePresence value = NodePresence.newBuilder()
        .setHeartbeatTime(Timestamps.of(clock.instant())).setAgentVersion(version).build();
    etcd.getKVClient().put(ByteSequence.from(key, StandardCharsets.UTF_8), ByteSequence.from(value.toByteArray()), option)
        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    if (lease != 0) {
      try {
        // Going away on purpose: NotReady at once rather than after the lease's TTL.
        etcd.getLeaseClient().revoke(lease).get(2, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.debug("could not revoke the presence lease: {}", e.getMessage());
      }
    }
  }
}
