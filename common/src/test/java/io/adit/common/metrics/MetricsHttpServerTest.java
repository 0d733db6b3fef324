package io.adit.common.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adit.common.validation.HostPort;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class MetricsHttpServerTest {
  private final AtomicReference<Optional<String>> notReady = new AtomicReference<>(Optional.of("not joined yet"));
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private MetricsHttpServer server;

  @BeforeEach
  void start() throws IOException {
    MetricsHttpServer.Exposition metrics = new MetricsHttpServer.Exposition() {
      @Override
      public String contentType() {
        return "text/plain; version=0.0.4; charset=utf-8";
      }

      @Override
      public void write(OutputStream out) throws IOException {
        out.write("adit_test_total 3\n".getBytes(StandardCharsets.UTF_8));
      }
    };
    server = MetricsHttpServer.start(new HostPort("127.0.0.1", 0), "--metrics-listen", metrics, notReady::get);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> get(String path, String method) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(5)).method(method, HttpRequest.BodyPublishers.noBody()).build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesTheMetricsWithTheirContentType() throws Exception {
    HttpResponse<String> r = get("/metrics", "GET");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("adit_test_total 3\n");
    assertThat(r.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
  }

  @Test
  void healthzIsOkWhileReadyzSaysWhyItIsNotReady() throws Exception {
    assertThat(get("/healthz", "GET").statusCode()).isEqualTo(200);
    HttpResponse<String> notYet = get("/readyz", "GET");
    assertThat(notYet.statusCode()).isEqualTo(503);
    assertThat(notYet.body()).isEqualTo("not joined yet\n");
    notReady.set(Optional.empty());
    HttpResponse<String> ready = get("/readyz", "GET");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).isEqualTo("ready\n");
  }

  @Test
  void refusesOtherPathsAndMethods() throws Exception {
    HttpResponse<String> missing = get("/metrics/x", "GET");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).contains("/metrics, /healthz and /readyz");
    HttpResponse<String> post = get("/metrics", "POST");
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
  }

  @Test
  void saysWhichFlagToChangeWhenThePortIsTaken() {
    assertThatThrownBy(() -> MetricsHttpServer.start(new HostPort("127.0.0.1", server.port()), "--metrics-listen",
        null, Optional::empty))
        .isInstanceOf(IOException.class)
        .hasMessage("cannot serve metrics on 127.0.0.1:" + server.port()
            + ": the address is already in use; choose another address with --metrics-listen");
  }
}
