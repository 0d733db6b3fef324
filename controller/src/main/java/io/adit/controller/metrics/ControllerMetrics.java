package io.adit.controller.metrics;

import io.adit.common.metrics.MetricsHttpServer;
import io.adit.common.pki.SpiffeId;
import io.adit.controller.store.etcd.EtcdKv;
import io.grpc.ServerInterceptor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
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
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The controller's metrics: gRPC calls by method and status code with their latency, etcd
 * requests by operation with latency and errors, certificates issued by kind, join tokens used,
 * plus cheap JVM and process gauges. Meter names follow Prometheus's conventions once exported
 * ({@code adit.controller.rpc.duration} becomes {@code adit_controller_rpc_duration_seconds}).
 *
 * <p>Without {@code --metrics-listen} the registry is an empty composite: every meter is a
 * no-op. Thread-safe.
 */
public final class ControllerMetrics implements EtcdKv.Observer {
  /** Prometheus text format 0.0.4, which every Prometheus version reads. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  /** Histogram buckets of call and etcd request times. */
  static final Duration[] BUCKETS = {
      Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
      Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
      Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

  private final MeterRegistry registry;
  private final Optional<PrometheusMeterRegistry> prometheus;
  private final Counter joins;

  private ControllerMetrics(MeterRegistry registry, Optional<PrometheusMeterRegistry> prometheus) {
    this.registry = registry;
    this.prometheus = prometheus;
    this.joins = Counter.builder("adit.controller.join.tokens.used")
        .description("Join tokens spent by a successful join").register(registry);
    for (SpiffeId.Kind kind : SpiffeId.Kind.values()) {
      issuedCounter(kind); // every kind present from the start, at 0
    }
  }

  /** Metrics exported in Prometheus text, with JVM and process basics. */
  public static ControllerMetrics prometheus() {
    PrometheusMeterRegistry p = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(p);
    new JvmThreadMetrics().bindTo(p);
    new ProcessorMetrics().bindTo(p);
    new UptimeMetrics().bindTo(p);
    new FileDescriptorMetrics().bindTo(p);
    return new ControllerMetrics(p, Optional.of(p));
  }

  /** No metrics: every meter is a no-op. */
  public static ControllerMetrics none() {
    return new ControllerMetrics(new CompositeMeterRegistry(), Optional.empty());
  }

  /** Records every call the server answers; install it outermost, so refused calls count too. */
  public ServerInterceptor rpcInterceptor() {
    return new RpcMetrics(this);
  }

  void rpc(String method, String code, long nanos) {
    Timer.builder("adit.controller.rpc.duration")
        .description("gRPC calls answered, by method and status code, and how long they took")
        .tag("method", method).tag("code", code)
        .serviceLevelObjectives(BUCKETS)
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void request(String operation, long nanos, boolean failed) {
    Timer.builder("adit.controller.etcd.request.duration")
        .description("etcd requests, by operation (get, list, txn), and how long they took, failed ones included")
        .tag("operation", operation)
        .serviceLevelObjectives(BUCKETS)
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
    if (failed) {
      Counter.builder("adit.controller.etcd.request.errors")
          .description("etcd requests that failed or did not answer in time, by operation")
          .tag("operation", operation)
          .register(registry)
          .increment();
    }
  }

  /** The CA signed a certificate of this kind. */
  public void issued(SpiffeId.Kind kind) {
    issuedCounter(kind).increment();
  }

  private Counter issuedCounter(SpiffeId.Kind kind) {
    return Counter.builder("adit.controller.certificates.issued")
        .description("Certificates the CA signed, by kind")
        .tag("kind", kind.name().toLowerCase(Locale.ROOT))
        .register(registry);
  }

  /** A node joined: its token is spent. */
  public void joined() {
    joins.increment();
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
