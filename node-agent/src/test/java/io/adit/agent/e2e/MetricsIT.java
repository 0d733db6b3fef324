package io.adit.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.agent.Agent;
import io.adit.agent.AgentConfig;
import io.adit.api.v1.DeleteServiceRequest;
import io.adit.api.v1.ServiceSpec;
import io.adit.api.v1.Verify;
import io.adit.common.validation.HostPort;
import io.adit.testing.EtcdExtension;
import io.adit.testing.Tools;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent started with --metrics-listen, read the way Prometheus reads it: good traffic and bad
 * handshakes through a verify-require service, then the counters, histograms and gauges of that
 * service on /metrics; /healthz and /readyz; and the service's series gone once it is deleted.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MetricsIT {
  @RegisterExtension
  static final EtcdExtension etcd = new EtcdExtension();

  @TempDir
  static Path dir;

  static Cluster cluster;
  static Tools.Background echo;
  static Agent agent;
  static int port;
  static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() throws Exception {
    int backend = Tools.freePort();
    echo = Cluster.socatEcho(backend);
    cluster = new Cluster(etcd.endpoints(), dir, null);
    agent = cluster.agent("node1", c -> c.withMetricsListen(new HostPort("127.0.0.1", 0)));
    port = Tools.freePort();
    cluster.create(ServiceSpec.newBuilder().setName("metered").setAccept("127.0.0.1:" + port)
        .addConnect("127.0.0.1:" + backend).addNodes("node1").setVerify(Verify.VERIFY_REQUIRE));
    cluster.await("metered", "node1", "Listening");
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
    if (echo != null) {
      echo.close();
    }
  }

  @Test
  void theServicesCountersMoveWithGoodTrafficAndBadHandshakes() throws Exception {
    Cluster.Credential client = cluster.client("client1");
    String line = "hello through the relay"; // 24 bytes with the newline, each way
    try (TlsEcho c = TlsEcho.tls(port, "metered", cluster.trust, client.key(), client.cert())) {
      assertThat(c.echo(line)).isEqualTo(line);
      Map<String, String> service = Map.of("service", "metered");
      assertThat(value(scrape(), "adit_agent_connections_active", service)).hasValue(1);
    }
    plaintext("GET / HTTP/1.0\r\n\r\n");
    noCertificate();

    Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
      String m = scrape();
      Map<String, String> s = Map.of("service", "metered");
      assertThat(value(m, "adit_agent_connections_accepted_total", s)).hasValue(3);
      assertThat(value(m, "adit_agent_connections_opened_total", s)).hasValue(1);
      assertThat(value(m, "adit_agent_connections_active", s)).hasValue(0);
      assertThat(value(m, "adit_agent_relayed_bytes_total", Map.of("service", "metered", "direction", "in"))).hasValue(24);
      assertThat(value(m, "adit_agent_relayed_bytes_total", Map.of("service", "metered", "direction", "out"))).hasValue(24);
      assertThat(value(m, "adit_agent_handshake_failures_total", Map.of("service", "metered", "reason", "plaintext")))
          .hasValue(1);
      assertThat(value(m, "adit_agent_handshake_failures_total",
          Map.of("service", "metered", "reason", "no_client_certificate"))).hasValue(1);
    });

    String m = scrape();
    Map<String, String> s = Map.of("service", "metered");
    // The good client's handshake and its one backend connect, in histograms with buckets.
    assertThat(value(m, "adit_agent_backend_connect_duration_seconds_count", s)).hasValue(1);
    assertThat(value(m, "adit_agent_handshake_duration_seconds_count", s).orElseThrow()).isGreaterThanOrEqualTo(1);
    assertThat(value(m, "adit_agent_handshake_duration_seconds_bucket", Map.of("service", "metered", "le", "+Inf")))
        .isEqualTo(value(m, "adit_agent_handshake_duration_seconds_count", s));
    assertThat(m).contains("# TYPE adit_agent_handshake_duration_seconds histogram");
    double now = Instant.now().getEpochSecond();
    assertThat(value(m, "adit_agent_certificate_expiry_timestamp_seconds", s).orElseThrow()).isGreaterThan(now);
    assertThat(value(m, "adit_agent_last_reconcile_timestamp_seconds", Map.of()).orElseThrow())
        .isBetween(now - 120, now + 5);
    assertThat(value(m, "adit_agent_reconcile_lag_seconds", Map.of()).orElseThrow()).isBetween(0.0, 30.0);
  }

  @Test
  void healthzAndReadyzAnswerOnceTheAgentServes() throws Exception {
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
    HttpResponse<String> ready = get("/readyz");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).isEqualTo("ready\n");
    HttpResponse<String> metrics = get("/metrics");
    assertThat(metrics.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
    assertThat(metrics.body()).contains("jvm_memory_used_bytes").contains("process_uptime_seconds");
  }

  @Test
  void readyzSaysWhyWhileTheAgentCannotReachEtcd() throws Exception {
    int dead = Tools.freePort();
    Agent lonely = cluster.agent("node2", c -> new AgentConfig(c.controllers(), c.joinToken(), c.name(), c.dataDir(),
        List.of("http://127.0.0.1:" + dead), c.advertiseAddress(), c.tlsProvider(), c.etcdTimeout(), c.resync(),
        c.etcdTls(), Optional.of(new HostPort("127.0.0.1", 0))));
    try {
      int metricsPort = lonely.metricsPort().orElseThrow();
      assertThat(get(metricsPort, "/healthz").statusCode()).isEqualTo(200);
      HttpResponse<String> ready = get(metricsPort, "/readyz");
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.body()).isEqualTo("not ready: the services have not been reconciled yet (waiting for etcd)\n");
    } finally {
      cluster.stop(lonely);
    }
  }

  @Test
  void aDeletedServicesSeriesDisappear() throws Exception {
    int other = Tools.freePort();
    cluster.create(ServiceSpec.newBuilder().setName("shortlived").setAccept("127.0.0.1:" + other)
        .addConnect("127.0.0.1:1").addNodes("node1"));
    cluster.await("shortlived", "node1", "Listening");
    Map<String, String> s = Map.of("service", "shortlived");
    Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> value(scrape(), "adit_agent_connections_active", s).isPresent());

    cluster.tunnels().deleteService(DeleteServiceRequest.newBuilder().setName("shortlived").build());

    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !scrape().contains("service=\"shortlived\""));
    assertThat(value(scrape(), "adit_agent_connections_accepted_total", Map.of("service", "metered"))).isPresent();
  }

  /** Plaintext to the TLS port; the relay closes the connection. */
  private static void plaintext(String text) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
      s.setSoTimeout(10_000);
      s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      while (in.read() != -1) {
        // what the relay answers (a TLS alert, or nothing) until it closes
      }
    } catch (java.net.SocketException reset) {
      // closed with a reset: closed all the same
    }
  }

  /** A TLS client without a certificate, on a service that requires one: refused. */
  private static void noCertificate() throws Exception {
    try (TlsEcho c = TlsEcho.tls(port, "metered", cluster.trust, null, null)) {
      // With TLS 1.3 the refusal arrives after the client's side of the handshake is done.
      assertThat(c.echo("anyone?")).isEmpty();
    } catch (IOException refused) {
      // refused in the handshake
    }
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return get(agent.metricsPort().orElseThrow(), path);
  }

  private static HttpResponse<String> get(int metricsPort, String path) throws Exception {
    HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + path))
        .timeout(Duration.ofSeconds(5)).build();
    return http.send(r, HttpResponse.BodyHandlers.ofString());
  }

  private static String scrape() throws Exception {
    HttpResponse<String> r = get("/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  /**
   * The value of the sample of {@code name} whose labels include {@code labels}, from the text
   * format (one sample a line: {@code name{l1="v1",l2="v2"} value}).
   */
  static OptionalDouble value(String text, String name, Map<String, String> labels) {
    for (String line : text.split("\n")) {
      if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
        continue;
      }
      int end = line.lastIndexOf(' ');
      String series = line.substring(0, end);
      if (labels.entrySet().stream().allMatch(l -> series.contains(l.getKey() + "=\"" + l.getValue() + "\""))) {
        return OptionalDouble.of(Double.parseDouble(line.substring(end + 1)));
      }
    }
    return OptionalDouble.empty();
  }
}
