package io.adit.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.api.v1.CreateJoinTokenRequest;
import io.adit.api.v1.GetServiceRequest;
import io.adit.api.v1.JoinRequest;
import io.adit.api.v1.ListServicesRequest;
import io.adit.api.v1.NodeServiceGrpc;
import io.adit.api.v1.TunnelServiceGrpc;
import io.adit.common.config.ClientConfig;
import io.adit.common.pki.Keys;
import io.adit.common.pki.Pem;
import io.adit.common.validation.HostPort;
import io.adit.testing.EtcdExtension;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A controller started with --metrics-listen, read the way Prometheus reads it: calls that
 * succeed and fail, by method and status code; certificates issued by kind; join tokens used;
 * etcd requests and, with etcd stopped, their errors and /readyz saying why.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ControllerMetricsIT {
  @RegisterExtension
  static final EtcdExtension etcd = new EtcdExtension();

  @TempDir
  static Path dir;

  static Controller controller;
  static ClientConfig admin;
  static ManagedChannel channel;
  static ManagedChannel anonymous;
  static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() throws Exception {
    controller = Controller.start(ControllerConfig.of(etcd.endpoints(), new HostPort("127.0.0.1", 0), dir.resolve("ctl"))
        .withMetricsListen(new HostPort("127.0.0.1", 0)));
    admin = ClientConfig.read(controller.adminConfig());
    channel = TestChannels.fromConfig(admin, controller.port());
    anonymous = TestChannels.as(controller.port(), Pem.certificates(admin.caPem()), null);
  }

  @AfterAll
  static void stop() throws Exception {
    for (ManagedChannel c : new ManagedChannel[] {channel, anonymous}) {
      if (c != null) {
        c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
    if (controller != null) {
      controller.close();
    }
  }

  @Test
  @Order(1)
  void callsAreCountedByMethodAndStatusCodeWithTheirLatency() throws Exception {
    assertThat(code(() -> tunnels(channel).getService(GetServiceRequest.newBuilder().setName("nope").build())))
        .isEqualTo(Status.Code.NOT_FOUND);
    assertThat(code(() -> tunnels(channel).getService(GetServiceRequest.newBuilder().setName("nope").build())))
        .isEqualTo(Status.Code.NOT_FOUND);
    tunnels(channel).listServices(ListServicesRequest.getDefaultInstance());
    assertThat(code(() -> tunnels(anonymous).listServices(ListServicesRequest.getDefaultInstance())))
        .isEqualTo(Status.Code.UNAUTHENTICATED);

    String m = scrape();
    assertThat(rpcs(m, "adit.v1.TunnelService/GetService", "NOT_FOUND")).hasValue(2);
    assertThat(rpcs(m, "adit.v1.TunnelService/ListServices", "OK")).hasValue(1);
    assertThat(rpcs(m, "adit.v1.TunnelService/ListServices", "UNAUTHENTICATED")).hasValue(1);
    assertThat(m).contains("# TYPE adit_controller_rpc_duration_seconds histogram");
    assertThat(value(m, "adit_controller_rpc_duration_seconds_bucket",
        Map.of("method", "adit.v1.TunnelService/GetService", "code", "NOT_FOUND", "le", "+Inf"))).hasValue(2);
    assertThat(value(m, "adit_controller_rpc_duration_seconds_sum",
        Map.of("method", "adit.v1.TunnelService/GetService", "code", "NOT_FOUND")).orElseThrow()).isPositive();
  }

  @Test
  @Order(2)
  void aJoinSpendsATokenAndIssuesANodeCertificate() throws Exception {
    String before = scrape();
    double nodes = value(before, "adit_controller_certificates_issued_total", Map.of("kind", "node")).orElseThrow();
    assertThat(value(before, "adit_controller_join_tokens_used_total", Map.of())).hasValue(0);
    // The controller's first start signed its own serving certificate and admin.conf's.
    assertThat(value(before, "adit_controller_certificates_issued_total", Map.of("kind", "controller"))).hasValue(1);
    assertThat(value(before, "adit_controller_certificates_issued_total", Map.of("kind", "admin"))).hasValue(1);

    String token = nodes(channel).createJoinToken(CreateJoinTokenRequest.getDefaultInstance()).getToken();
    var key = Keys.generateP256();
    nodes(anonymous).join(JoinRequest.newBuilder().setToken(token).setNodeName("node1")
        .setCsrPem(Pem.encode(Keys.csr(key, "node1"))).build());
    assertThat(code(() -> nodes(anonymous).join(JoinRequest.newBuilder().setToken(token).setNodeName("node2")
        .setCsrPem(Pem.encode(Keys.csr(key, "node2"))).build()))).isEqualTo(Status.Code.PERMISSION_DENIED);

    String m = scrape();
    assertThat(value(m, "adit_controller_join_tokens_used_total", Map.of())).hasValue(1);
    assertThat(value(m, "adit_controller_certificates_issued_total", Map.of("kind", "node"))).hasValue(nodes + 1);
    assertThat(rpcs(m, "adit.v1.NodeService/Join", "OK")).hasValue(1);
    assertThat(rpcs(m, "adit.v1.NodeService/Join", "PERMISSION_DENIED")).hasValue(1);
    assertThat(rpcs(m, "adit.v1.NodeService/CreateJoinToken", "OK")).hasValue(1);
  }

  @Test
  @Order(3)
  void etcdRequestsAreTimedByOperation() throws Exception {
    String m = scrape();
    for (String op : new String[] {"get", "list", "txn"}) {
      assertThat(value(m, "adit_controller_etcd_request_duration_seconds_count", Map.of("operation", op)).orElseThrow())
          .as(op).isPositive();
    }
    assertThat(value(m, "adit_controller_etcd_request_errors_total", Map.of("operation", "get"))).isEmpty();
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
    HttpResponse<String> ready = get("/readyz");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).isEqualTo("ready\n");
    assertThat(m).contains("jvm_memory_used_bytes").contains("process_uptime_seconds");
  }

  @Test
  @Order(4)
  void withEtcdDownRequestsFailAndReadyzSaysWhy() throws Exception {
    etcd.stop();
    try {
      assertThat(code(() -> tunnels(channel).getService(GetServiceRequest.newBuilder().setName("any").build())))
          .isEqualTo(Status.Code.UNAVAILABLE);
      String m = scrape();
      assertThat(value(m, "adit_controller_etcd_request_errors_total", Map.of("operation", "get")).orElseThrow())
          .isGreaterThanOrEqualTo(1);
      assertThat(rpcs(m, "adit.v1.TunnelService/GetService", "UNAVAILABLE")).hasValue(1);
      Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        HttpResponse<String> r = get("/readyz");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).startsWith("not ready: etcd at ").endsWith("\n").hasLineCount(1);
      });
      assertThat(get("/healthz").statusCode()).isEqualTo(200);
    } finally {
      etcd.restart();
    }
    Awaitility.await().atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(get("/readyz").statusCode()).isEqualTo(200));
  }

  static OptionalDouble rpcs(String text, String method, String code) {
    return value(text, "adit_controller_rpc_duration_seconds_count", Map.of("method", method, "code", code));
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

  private static HttpResponse<String> get(String path) throws Exception {
    HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controller.metricsPort().orElseThrow() + path))
        .timeout(Duration.ofSeconds(5)).build();
    return http.send(r, HttpResponse.BodyHandlers.ofString());
  }

  private static String scrape() throws Exception {
    HttpResponse<String> r = get("/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
    return r.body();
  }

  static TunnelServiceGrpc.TunnelServiceBlockingStub tunnels(ManagedChannel c) {
    return TunnelServiceGrpc.newBlockingStub(c).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  static NodeServiceGrpc.NodeServiceBlockingStub nodes(ManagedChannel c) {
    return NodeServiceGrpc.newBlockingStub(c).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  static Status.Code code(Runnable call) {
    try {
      call.run();
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }
}
