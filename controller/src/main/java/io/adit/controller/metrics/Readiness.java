package io.adit.controller.metrics;

import io.adit.controller.store.etcd.EtcdKv;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Whether the controller can serve, for {@code /readyz}: its gRPC API is up, and etcd answered a
 * one-key read within a second. The etcd answer is kept for two seconds, so frequent probes
 * cost etcd little; a probe never waits longer than the deadline.
 */
public final class Readiness implements Supplier<Optional<String>> {
  static final Duration DEADLINE = Duration.ofSeconds(1);
  static final Duration KEEP = Duration.ofSeconds(2);

  private final EtcdKv kv;
  private volatile boolean serving;
  private Optional<String> etcd = Optional.empty();
  private long checkedAt;
  private boolean checked;

  public Readiness(EtcdKv kv) {
    this.kv = kv;
  }

  /** The gRPC API is listening. */
  public void serving() {
    serving = true;
  }

  @Override
  public synchronized Optional<String> get() {
    if (!serving) {
      return Optional.of("not ready: the controller is starting (waiting for etcd and the CA)");
    }
    long now = System.nanoTime();
    if (!checked || now - checkedAt > KEEP.toNanos()) {
      etcd = kv.probe(DEADLINE).map(why -> "not ready: " + why);
      checkedAt = System.nanoTime();
      checked = true;
    }
    return etcd;
  }
}
