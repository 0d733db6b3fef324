package io.adit.agent.metrics;

import io.adit.common.metrics.MetricsHttpServer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The agent's metrics: one {@link ServiceMeters} per service it serves, the control loop's
 * last reconcile time and lag, and cheap JVM and process gauges. Meter names follow
 * Prometheus's conventions once exported ({@code adit.agent.connections.accepted} becomes
 * {@code adit_agent_connections_accepted_total}).
 *
 * <p>Without {@code --metrics-listen} the registry is an empty composite: every meter is a
 * no-op and nothing is kept. Thread-safe.
 */
public final class AgentMetrics {
  /** Prometheus text format 0.0.4, which every Prometheus version reads. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final MeterRegistry registry;
  private final Optional<PrometheusMeterRegistry> prometheus;
  private final Map<String, ServiceMeters> services = new ConcurrentHashMap<>();
  private final AtomicReference<Instant> lastReconcile = new AtomicReference<>();
  private final AtomicReference<Duration> lag = new AtomicReference<>();

  private AgentMetrics(MeterRegistry registry, Optional<PrometheusMeterRegistry> prometheus) {
    this.registry = registry;
    this.prometheus = prometheus;
    Gauge.builder("adit.agent.last.reconcile.timestamp", lastReconcile,
            r -> r.get() == null ? Double.NaN : r.get().toEpochMilli() / 1000.0)
        .baseUnit("seconds")
        .description("When the agent last compared the services in etcd with its relays and applied the difference")
        .register(registry);
    Gauge.builder("adit.agent.reconcile.lag", lag, l -> l.get() == null ? Double.NaN : l.get().toNanos() / 1e9)
        .baseUnit("seconds")
        .description("For the last change of the services seen in etcd: from its arrival to the end of the "
            + "reconcile that applied it")
        .register(registry);
  }

  /** Metrics exported in Prometheus text, with JVM and process basics. */
  public static AgentMetrics prometheus() {
    PrometheusMeterRegistry p = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(p);
    new JvmThreadMetrics().bindTo(p);
    new ProcessorMetrics().bindTo(p);
    new UptimeMetrics().bindTo(p);
    new FileDescriptorMetrics().bindTo(p);
    return new AgentMetrics(p, Optional.of(p));
  }

  /** No metrics: every meter is a no-op. */
  public static AgentMetrics none() {
    return new AgentMetrics(new CompositeMeterRegistry(), Optional.empty());
  }

  /** The meters of {@code service}, made at its first start and kept across restarts. */
  public ServiceMeters service(String service) {
    return services.computeIfAbsent(service, s -> new ServiceMeters(registry, s));
  }

  /** Drops a deleted service's meters: its series disappear from /metrics. */
  public void remove(String service) {
    ServiceMeters m = services.remove(service);
    if (m != null) {
      m.remove();
    }
  }

  /**
   * A reconcile ended at {@code at}; {@code lag} is set when it applied a change seen in etcd
   * (not for the periodic resync).
   */
  public void reconciled(Instant at, Optional<Duration> changeLag) {
    lastReconcile.set(at);
    changeLag.ifPresent(lag::set);
  }

  /** What /metrics serves; empty without a Prometheus registry. */
  public Optional<MetricsHttpServer.Exposition> exposition() {
    return prometheus.map(p -> new MetricsHttpServer.Exposition() {
      @Override
      public String contentType() {
        return CONTENT_TYPE;
      }

      @Override
      public void write(OutputStream out) throws IOException {
        p.scrape(out, CONTENT_TYPE);
      }
    });
  }
}
