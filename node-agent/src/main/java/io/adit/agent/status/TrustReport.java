package io.adit.agent.status;

import io.adit.common.proto.Timestamps;
import io.adit.common.store.KeyLayout;
import io.adit.store.v1.NodeTrust;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the controllers which trust bundle this node has applied, at {@code nodes/<node>/trust}
 * (the node's own prefix): a CA rotation lets the new CA sign only once every Ready node reports
 * the bundle that holds it. Written asynchronously, again after a failure, and only when the
 * fingerprint changed since the last successful write.
 */
public final class TrustReport {
  private static final Logger log = LoggerFactory.getLogger(TrustReport.class);
  static final Duration RETRY = Duration.ofSeconds(2);

  private final Client etcd;
  private final String node;
  private final Clock clock;
  private final Duration timeout;
  private final ScheduledExecutorService scheduler;
  private String wanted = "";
  private String written = "";

  public TrustReport(Client etcd, String node, Clock clock, Duration timeout, ScheduledExecutorService scheduler) {
    this.etcd = etcd;
    this.node = node;
    this.clock = clock;
    this.timeout = timeout;
    this.scheduler = scheduler;
  }

  /** Reports {@code fingerprint} as the bundle applied; call it only once it is in use. */
  public synchronized void report(String fingerprint) {
    if (fingerprint.equals(wanted) && fingerprint.equals(written)) {
      return;
    }
    wanted = fingerprint;
    try {
      scheduler.execute(this::write);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      log.debug("not reporting the trust bundle: the agent is stopping");
    }
  }

  private void write() {
    String fingerprint;
    synchronized (this) {
      if (wanted.equals(written)) {
        return;
      }
      fingerprint = wanted;
    }
    NodeTrust value = NodeTrust.newBuilder().setBundleFingerprint(fingerprint)
        .setUpdateTime(Timestamps.of(clock.instant())).build();
    try {
      etcd.getKVClient().put(ByteSequence.from(KeyLayout.nodeTrust(node), StandardCharsets.UTF_8),
          ByteSequence.from(value.toByteArray())).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      synchronized (this) {
        written = fingerprint;
      }
      log.info("reported trust bundle {} as applied", fingerprint.substring(0, 16));
    } catch (Exception e) {
      log.warn("cannot report the trust bundle this node holds ({}); trying again in {} s",
          e instanceof java.util.concurrent.TimeoutException ? "etcd did not answer in time" : String.valueOf(e.getMessage()),
          RETRY.toSeconds());
      try {
        scheduler.schedule(this::write, RETRY.toMillis(), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException stopping) {
        log.debug("not reporting the trust bundle: the agent is stopping");
      }
    }
  }
}
