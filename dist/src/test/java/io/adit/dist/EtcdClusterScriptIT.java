package io.adit.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adit.testing.Tools;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/etcd-cluster.sh} from the release archive, with real etcd: three members form
 * one cluster, it survives the loss of one, {@code up} brings the member back, and {@code down}
 * leaves no process.
 */
class EtcdClusterScriptIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final ObjectMapper json = new ObjectMapper();

  @TempDir Path tmp;
  Path script;
  Path dir;
  int base;

  @BeforeEach
  void setUp() throws Exception {
    script = Release.unpack(tmp.resolve("unpacked")).resolve("deploy/etcd-cluster.sh");
    dir = tmp.resolve("etcd-ha");
    base = freePortRun();
  }

  @AfterEach
  void down() {
    script("down");
  }

  @Test
  void threeMembersFormOneClusterThatSurvivesTheLossOfOne() throws Exception {
    Tools.Result up = script("up");
    assertThat(up.exitCode()).as("up: %s%s", up.out(), up.err()).isZero();
    String endpoints = "http://127.0.0.1:" + base + ",http://127.0.0.1:" + (base + 2) + ",http://127.0.0.1:" + (base + 4);
    assertThat(up.out()).contains("--etcd " + endpoints);

    for (int port : clientPorts()) {
      JsonNode members = post(port, "/v3/cluster/member/list").path("members");
      List<String> names = new ArrayList<>();
      members.forEach(m -> names.add(m.path("name").asText() + "=" + m.path("clientURLs").path(0).asText()));
      assertThat(names).containsExactlyInAnyOrder("m1=http://127.0.0.1:" + base,
          "m2=http://127.0.0.1:" + (base + 2), "m3=http://127.0.0.1:" + (base + 4));
      assertThat(healthy(port)).isTrue();
    }
    List<Long> pids = pids();
    assertThat(pids).hasSize(3).allMatch(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false));

    // One member lost: the other two keep the quorum and take writes.
    ProcessHandle.of(pids.get(0)).orElseThrow().destroyForcibly();
    await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(pids.get(0)).isEmpty());
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
        .until(() -> post(base + 2, "/v3/kv/put", "{\"key\":\"YQ==\",\"value\":\"Yg==\"}").has("header"));
    assertThat(script("status").out()).contains("m1: stopped", "m2: running", "m3: running");

    // up starts it again, and it rejoins the same cluster.
    Tools.Result again = script("up");
    assertThat(again.exitCode()).as("up again: %s%s", again.out(), again.err()).isZero();
    assertThat(again.out()).contains("m2 already running", "m3 already running", "3 etcd members healthy");
    assertThat(post(base, "/v3/cluster/member/list").path("members")).hasSize(3);

    List<Long> running = pids();
    Tools.Result down = script("down");
    assertThat(down.exitCode()).isZero();
    assertThat(running).allMatch(p -> ProcessHandle.of(p).map(h -> !h.isAlive()).orElse(true));
    assertThat(script("status").out()).contains("m1: stopped", "m2: stopped", "m3: stopped");
    for (int port : clientPorts()) {
      assertThat(Tools.listening(port)).as("port %d after down", port).isFalse();
    }
  }

  private Tools.Result script(String command) {
    return Release.run(List.of("env", "ADIT_ETCD_HA_PORT=" + base, "ADIT_ETCD_HA_DIR=" + dir,
        "bash", script.toString(), command), TIMEOUT);
  }

  private List<Integer> clientPorts() {
    return List.of(base, base + 2, base + 4);
  }

  private List<Long> pids() throws IOException {
    List<Long> pids = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      pids.add(Long.parseLong(Files.readString(dir.resolve("m" + i + ".pid")).strip()));
    }
    return pids;
  }

  private boolean healthy(int port) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    return json.readTree(r.body()).path("health").asText().equals("true");
  }

  private JsonNode post(int port, String path) throws Exception {
    return post(port, path, "{}");
  }

  private JsonNode post(int port, String path, String body) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("%s: %s", path, r.body()).isEqualTo(200);
    return json.readTree(r.body());
  }

  /** A base port below the ephemeral range whose next five ports are free too. */
  private static int freePortRun() {
    for (int attempt = 0; attempt < 100; attempt++) {
      int start = ThreadLocalRandom.current().nextInt(20000, 32000);
      if (allFree(start, 6)) {
        return start;
      }
    }
    throw new AssertionError("no run of 6 free ports between 20000 and 32000 on loopback");
  }

  private static boolean allFree(int start, int count) {
    for (int p = start; p < start + count; p++) {
      try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
        s.setReuseAddress(true);
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }
}
