package io.adit.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adit.agent.Agent;
import io.adit.agent.AgentConfig;
import io.adit.cli.AditCtl;
import io.adit.common.validation.HostPort;
import io.adit.controller.Controller;
import io.adit.controller.ControllerConfig;
import io.adit.testing.EtcdExtension;
import io.adit.testing.Tools;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both stunnel configurations this project started from, imported with {@code aditctl import
 * stunnel} against a real controller and served by a real agent: the walkthrough's open and
 * client-certificate tunnels, and a server/client pair whose client is linked to its server.
 * Ports are random loopback ports, so the configurations are written here.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ImportStunnelIT {
  @RegisterExtension
  static final EtcdExtension etcd = new EtcdExtension();

  @TempDir
  static Path dir;

  static Controller controller;
  static Agent agent;
  static Tools.Background backend;
  static int backendPort;
  static Map<String, String> env;

  record Run(int code, String out, String err) {}

  static Run aditctl(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = AditCtl.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), env);
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @BeforeAll
  static void start() throws Exception {
    backendPort = Tools.freePort();
    backend = Tools.start(List.of("socat", "TCP-LISTEN:" + backendPort + ",bind=127.0.0.1,reuseaddr,fork", "PIPE"));
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Tools.listening(backendPort));
    controller = Controller.start(ControllerConfig.of(etcd.endpoints(), new HostPort("127.0.0.1", 0), dir.resolve("ctl")));
    env = Map.of("ADIT_CONFIG", controller.adminConfig().toString(), "HOME", dir.resolve("home").toString());
    Run token = aditctl("node", "token", "create");
    assertThat(token.code()).as(token.err()).isZero();
    agent = Agent.start(AgentConfig.of(List.of(new HostPort("127.0.0.1", controller.port())),
        Optional.of(token.out().strip()), "node1", dir.resolve("agent"), List.of(), "127.0.0.1"), Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    if (agent != null) {
      agent.close();
    }
    if (controller != null) {
      controller.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  static void awaitListening(String service) {
    ObjectMapper json = new ObjectMapper();
    Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
      Run r = aditctl("service", "get", service, "-o", "json");
      JsonNode nodes = json.readTree(r.out()).path("status").path("nodes");
      return nodes.size() == 1 && nodes.get(0).path("state").asText().equals("Listening");
    });
  }

  static Tools.Result ncat(String input, String... args) {
    List<String> cmd = new ArrayList<>(List.of("ncat", "-w", "5", "-i", "3"));
    cmd.addAll(List.of(args));
    return Tools.run(cmd, input, Duration.ofSeconds(15));
  }

  @Test
  void theWalkthroughImportsAndServesBothTunnels() throws Exception {
    int open = Tools.freePort();
    int secure = Tools.freePort();
    Path conf = Files.writeString(dir.resolve("walkthrough.conf"), String.join("\n",
        "; the stunnel walkthrough, on loopback ports of this test",
        "pid = /var/run/stunnel4/stunnel.pid",
        "[service1]", "accept = 127.0.0.1:" + open, "connect = " + backendPort, "cert = server.crt", "key = server.key",
        "[service1-secure]", "accept = 127.0.0.1:" + secure, "connect = " + backendPort, "cert = server.crt",
        "key = server.key", "verify = 2", "CAfile = ca.crt", ""));

    Run dry = aditctl("import", "stunnel", conf.toString(), "--node", "node1", "--dry-run");
    assertThat(dry.code()).as(dry.err()).isZero();
    assertThat(dry.out()).contains("service1 ", "service1-secure ", "2 service(s) are valid (dry run: nothing was stored)");
    assertThat(dry.err()).contains("[service1] -> service1", "warning: walkthrough.conf:3: [service1] has no verify");
    assertThat(aditctl("service", "list", "-o", "json").out()).doesNotContain("service1");

    Run run = aditctl("import", "stunnel", conf.toString(), "--node", "node1");
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out()).isEqualTo("service service1 created (version " + version("service1") + ")\n"
        + "service service1-secure created (version " + version("service1-secure") + ")\n");
    awaitListening("service1");
    awaitListening("service1-secure");

    // service1, verify none: any TLS client, as with stunnel.
    Tools.Result plainTls = ncat("hello\n", "--ssl", "127.0.0.1", String.valueOf(open));
    assertThat(plainTls.out()).as(plainTls.err()).isEqualTo("hello\n");

    // service1-secure, verify = 2: only a client with an Adit identity's certificate.
    assertThat(aditctl("identity", "create", "client1").code()).isZero();
    Run issued = aditctl("identity", "issue", "client1", "--out", dir.resolve("client1").toString());
    assertThat(issued.code()).as(issued.err()).isZero();
    Path creds = dir.resolve("client1");
    Tools.Result withCert = ncat("hello\n", "--ssl", "--ssl-verify", "--ssl-trustfile", creds.resolve("ca.crt").toString(),
        "--ssl-servername", "service1-secure", "--ssl-cert", creds.resolve("client1.crt").toString(),
        "--ssl-key", creds.resolve("client1.key").toString(), "127.0.0.1", String.valueOf(secure));
    assertThat(withCert.out()).as(withCert.err()).isEqualTo("hello\n");
    Tools.Result without = ncat("hello\n", "--ssl", "127.0.0.1", String.valueOf(secure));
    assertThat(without.out()).isEmpty();
  }

  @Test
  void theServerClientPairImportsLinkedAndCarriesPlaintextThroughTls() throws Exception {
    int server = Tools.freePort();
    int client = Tools.freePort();
    Path conf = Files.writeString(dir.resolve("pair.conf"), String.join("\n",
        "# a TLS server in front of a plaintext backend, and a client that reaches it",
        "[testserver]", "accept = 127.0.0.1:" + server, "connect = 127.0.0.1:" + backendPort, "cert = server.crt",
        "key = server.key",
        "[testclient]", "client = yes", "accept = 127.0.0.1:" + client, "connect = 127.0.0.1:" + server,
        "CAfile = ca.crt", "verify = 2", "checkHost = localhost", ""));

    Run run = aditctl("import", "stunnel", conf.toString(), "--node", "node1");
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.err()).contains("[testclient] -> testclient",
        "note: pair.conf:10: connect: reaches [testserver] of this import: linked to that service (--to testserver)");
    JsonNode linked = new ObjectMapper().readTree(aditctl("service", "get", "testclient", "-o", "json").out());
    assertThat(linked.path("spec").path("to").asText()).isEqualTo("testserver");
    awaitListening("testserver");
    awaitListening("testclient");

    // Plaintext in, TLS between the two relays, plaintext to the echo backend.
    Tools.Result echoed = Tools.run(List.of("ncat", "--no-shutdown", "-w", "5", "-i", "2", "127.0.0.1",
        String.valueOf(client)), "through both relays\n", Duration.ofSeconds(15));
    assertThat(echoed.out()).as(echoed.err()).isEqualTo("through both relays\n");
    // The server side speaks only TLS.
    Tools.Result plaintext = ncat("hello\n", "127.0.0.1", String.valueOf(server));
    assertThat(plaintext.out()).doesNotContain("hello");
  }

  private static long version(String service) throws Exception {
    return new ObjectMapper().readTree(aditctl("service", "get", service, "-o", "json").out()).path("status").path("version").asLong();
  }
}
