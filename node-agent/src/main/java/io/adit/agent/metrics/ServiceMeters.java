package io.adit.agent.metrics;

import io.adit.agent.relay.ConnectionInfo;
import io.adit.agent.relay.FailureKind;
import io.adit.agent.relay.Relay;
import io.adit.agent.relay.RelayListener;
import io.adit.agent.relay.RelayStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One service's meters, kept across restarts of its relay (a changed spec means a new relay).
 *
 * <p>Per connection, a relay calls the listener ({@link #around}) a few times: accepted,
 * handshake and backend-connect times, failures by kind. The bytes are not counted again per
 * read: they are read at scrape time from the relays' own counters, plus what the relays that
 * have ended counted ({@link #retire}). Active connections are likewise the relays' own count,
 * draining relays included.
 */
public final class ServiceMeters {
  /** Histogram buckets of the handshake and backend connect times. */
  static final Duration[] BUCKETS = {
      Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
      Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
      Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

  private final MeterRegistry registry;
  private final Tags tags;
  private final List<Meter> meters = new CopyOnWriteArrayList<>();
  private final Set<Relay> relays = ConcurrentHashMap.newKeySet();
  private final Map<FailureKind, Counter> failures = new EnumMap<>(FailureKind.class);
  private final AtomicReference<Instant> certificateNotAfter = new AtomicReference<>();
  private final Counter accepted;
  private final Counter opened;
  private final Timer handshake;
  private final Timer backendConnect;
  private long retiredBytesIn;
  private long retiredBytesOut;
  /** Guarded by {@code failures}: once removed, a draining relay's failures make no new series. */
  private boolean removed;

  ServiceMeters(MeterRegistry registry, String service) {
    this.registry = registry;
    this.tags = Tags.of("service", service);
    accepted = add(Counter.builder("adit.agent.connections.accepted").tags(tags)
        .description("Connections accepted, including those refused afterwards").register(registry));
    opened = add(Counter.builder("adit.agent.connections.opened").tags(tags)
        .description("Connections that passed every check and reached the backend").register(registry));
    add(Gauge.builder("adit.agent.connections.active", this, ServiceMeters::active).tags(tags)
        .description("Connections open now (in handshake, connecting or relayed), draining relays included")
        .register(registry));
    add(FunctionCounter.builder("adit.agent.relayed", this, m -> m.bytes(true)).baseUnit("bytes")
        .tags(tags).tag("direction", "in").description("Payload bytes relayed; in: from clients, out: to clients")
        .register(registry));
    add(FunctionCounter.builder("adit.agent.relayed", this, m -> m.bytes(false)).baseUnit("bytes")
        .tags(tags).tag("direction", "out").description("Payload bytes relayed; in: from clients, out: to clients")
        .register(registry));
    handshake = add(Timer.builder("adit.agent.handshake.duration").tags(tags).serviceLevelObjectives(BUCKETS)
        .description("Successful TLS handshakes (server mode: with the client; client mode: with the server)")
        .register(registry));
    backendConnect = add(Timer.builder("adit.agent.backend.connect.duration").tags(tags).serviceLevelObjectives(BUCKETS)
        .description("Successful TCP connects to the backend (client mode: to the server)").register(registry));
    add(Gauge.builder("adit.agent.certificate.expiry.timestamp", certificateNotAfter,
            c -> c.get() == null ? Double.NaN : c.get().getEpochSecond())
        .baseUnit("seconds").tags(tags).description("When the certificate the service presents expires")
        .register(registry));
  }

  private <M extends Meter> M add(M meter) {
    meters.add(meter);
    return meter;
  }

  /** A listener that records into these meters, then passes every event on to {@code next}. */
  public RelayListener around(RelayListener next) {
    return new RelayListener() {
      @Override
      public void onFailure(String reason) {
        next.onFailure(reason);
      }

      @Override
      public void onFailure(FailureKind kind, String reason) {
        failed(kind);
        next.onFailure(kind, reason);
      }

      @Override
      public void onAccept() {
        accepted.increment();
        next.onAccept();
      }

      @Override
      public void onHandshake(long nanos) {
        handshake.record(nanos, TimeUnit.NANOSECONDS);
        next.onHandshake(nanos);
      }

      @Override
      public void onBackendConnected(long nanos) {
        backendConnect.record(nanos, TimeUnit.NANOSECONDS);
        next.onBackendConnected(nanos);
      }

      @Override
      public void onOpen(ConnectionInfo info) {
        opened.increment();
        next.onOpen(info);
      }

      @Override
      public void onClose(ConnectionInfo info, long bytesIn, long bytesOut) {
        next.onClose(info, bytesIn, bytesOut);
      }
    };
  }

  /** Counts a failure; the kind's counter is made at its first failure (its series is absent until then). */
  private void failed(FailureKind kind) {
    synchronized (failures) {
      if (!removed) {
        failure(kind).increment();
      }
    }
  }

  private Counter failure(FailureKind kind) {
    synchronized (failures) {
      return failures.computeIfAbsent(kind, k -> add(Counter.builder(k.isHandshake()
              ? "adit.agent.handshake.failures" : "adit.agent.connection.failures")
          .tags(tags).tag("reason", k.key())
          .description(k.isHandshake() ? "Connections refused in the TLS handshake or the authorization after it"
              : "Connections that failed after the handshake: backend unreachable, over the connection limit")
          .register(registry)));
    }
  }

  /** A relay of this service started: its counters count from now on. */
  public void attach(Relay relay) {
    relays.add(relay);
  }

  /** A relay of this service ended (drained and closed): its final counts are kept. */
  public synchronized void retire(Relay relay) {
    if (relays.remove(relay)) {
      RelayStats last = relay.stats();
      retiredBytesIn += last.bytesIn();
      retiredBytesOut += last.bytesOut();
    }
  }

  /** The certificate the service presents now expires at {@code notAfter}. */
  public void certificate(Instant notAfter) {
    certificateNotAfter.set(notAfter);
  }

  private double active() {
    return relays.stream().mapToInt(r -> r.stats().activeConnections()).sum();
  }

  /** In: from clients; out: to clients. Synchronized with {@link #retire}, so a count never goes back. */
  private synchronized double bytes(boolean in) {
    long sum = in ? retiredBytesIn : retiredBytesOut;
    for (Relay r : relays) {
      RelayStats s = r.stats();
      sum += in ? s.bytesIn() : s.bytesOut();
    }
    return sum;
  }

  void remove() {
    synchronized (failures) {
      removed = true;
    }
    meters.forEach(registry::remove);
    meters.clear();
    relays.clear();
  }
}
