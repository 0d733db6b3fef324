package io.adit.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adit.cli.AditCtl;
import io.adit.common.store.KeyLayout;
import io.adit.common.validation.HostPort;
import io.adit.controller.Controller;
import io.adit.controller.ControllerConfig;
import io.adit.controller.store.Txn;
import io.adit.controller.store.etcd.EtcdKv;
import io.adit.store.v1.NodeRecord;
import io.adit.testing.EtcdExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
 * Declarative files end to end, against a real controller and etcd: get -o yaml, apply, diff
 * and --dry-run, as an operator would use them, checked through what aditctl itself reads back.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeclarativeIT {
  @RegisterExtension
  static final EtcdExtension etcd = new EtcdExtension();

  @TempDir
  static Path dir;

  static Controller controller;
  static String config;

  @BeforeAll
  static void start() throws Exception {
    controller = Controller.start(ControllerConfig.of(etcd.endpoints(), new HostPort("127.0.0.1", 0), dir.resolve("ctl")));
    config = controller.adminConfig().toString();
    // A joined node, so that diff has a relay to restart on it.
    try (EtcdKv kv = EtcdKv.connect(etcd.endpoints(), Duration.ofSeconds(5), null)) {
      kv.commit(Txn.create().put(KeyLayout.nodeInfo("node-a"),
          NodeRecord.newBuilder().setName("node-a").setAdvertiseAddress("127.0.0.1").build().toByteArray()));
    }
  }

  @AfterAll
  static void stop() {
    if (controller != null) {
      controller.close();
    }
  }

  record Run(int code, String out, String err) {}

  static Run aditctl(String... args) {
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--config", config));
    int code = AditCtl.run(all.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), Map.of("HOME", dir.toString()));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static Run ok(String... args) {
    Run r = aditctl(args);
    assertThat(r.code()).as("aditctl %s\nstdout: %s\nstderr: %s", String.join(" ", args), r.out(), r.err()).isZero();
    return r;
  }

  static int auditEvents() throws Exception {
    return new ObjectMapper().readTree(ok("audit", "-o", "json").out()).size();
  }

  static Path file(String name, String text) throws Exception {
    return Files.writeString(dir.resolve(name), text);
  }

  @Test
  @Order(1)
  void whatGetPrintsAppliesUnchangedAndDiffFindsNothing() throws Exception {
    ok("identity", "create", "client1");
    ok("service", "create", "web", "--accept", "8443", "--connect", "127.0.0.1:8080", "--node", "node-a",
        "--allow", "client1", "--idle-timeout", "10m");
    ok("service", "create", "web-client", "--client", "--accept", "6000", "--to", "web", "--identity", "client1",
        "--node", "node-a");
    String all = ok("identity", "get", "client1", "-o", "yaml").out() + "---\n"
        + ok("service", "get", "web", "-o", "yaml").out() + "---\n"
        + ok("service", "get", "web-client", "-o", "yaml").out();
    Path declared = file("all.yaml", all);
    int audited = auditEvents();

    assertThat(ok("apply", "-f", declared.toString()).out()).isEqualTo("""
        identity/client1 unchanged
        service/web unchanged
        service/web-client unchanged
        """);
    Run diff = aditctl("diff", "-f", declared.toString());
    assertThat(diff.code()).isZero();
    assertThat(diff.out()).isEqualTo("no changes: all 3 objects are as declared\n");
    assertThat(auditEvents()).as("nothing changed, nothing recorded").isEqualTo(audited);

    // The same through JSON.
    Path json = file("web.json", ok("service", "get", "web", "-o", "json").out());
    assertThat(ok("apply", "-f", json.toString()).out()).isEqualTo("service/web unchanged\n");
    // And what list prints: a backup that restores as it was.
    Path listed = file("list.yaml", ok("service", "list", "-o", "yaml").out());
    Path identities = file("identities.json", ok("identity", "list", "-o", "json").out());
    assertThat(ok("apply", "-f", listed.toString(), "-f", identities.toString()).out()).isEqualTo("""
        service/web unchanged
        service/web-client unchanged
        identity/client1 unchanged
        """);
  }

  @Test
  @Order(2)
  void anEditShowsInDiffFieldByFieldWithTheRelaysItRestartsThenApplies() throws Exception {
    String yaml = ok("service", "get", "web", "-o", "yaml").out()
        .replace("127.0.0.1:8080", "127.0.0.1:9090").replace("accept: \"8443\"", "accept: \"9443\"");
    Path edited = file("web.yaml", yaml);

    Run diff = aditctl("diff", "-f", edited.toString());
    assertThat(diff.code()).as(diff.err()).isEqualTo(1);
    assertThat(diff.out()).isEqualTo("~ Service web (" + edited + " line 1): update\n"
        + "    accept: 8443 -> 9443\n"
        + "    connect: [127.0.0.1:8080] -> [127.0.0.1:9090]\n"
        + "    node node-a restarts relay web (changed accept, connect)\n"
        + "    node node-a restarts relay web-client (changed target addresses (service web moved))\n");
    assertThat(ok("service", "get", "web", "-o", "json").out()).as("diff changes nothing").contains("127.0.0.1:8080");

    assertThat(ok("apply", "-f", edited.toString()).out()).isEqualTo("service/web updated (accept, connect)\n");
    JsonNode web = new ObjectMapper().readTree(ok("service", "get", "web", "-o", "json").out());
    assertThat(web.at("/spec/connect/0").asText()).isEqualTo("127.0.0.1:9090");
    assertThat(new ObjectMapper().readTree(ok("audit", "--action", "service.update", "-o", "json").out()))
        .anySatisfy(e -> assertThat(e.get("detail").asText()).isEqualTo("apply: changed accept, connect"));
    assertThat(ok("apply", "-f", edited.toString()).out()).isEqualTo("service/web unchanged\n");
  }

  @Test
  @Order(3)
  void anUnknownFieldOrAnInvalidObjectChangesNothingAndSaysWhy() throws Exception {
    Path typo = file("typo.yaml", """
        kind: Identity
        metadata: {name: client2}
        ---
        kind: Service
        metadata:
          name: web
        spec:
          accept: 443
          conect: [127.0.0.1:1]
          nodes: [node-a]
        """);
    Run r = aditctl("apply", "-f", typo.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("error: " + typo + " line 9: unknown field 'conect' in Service 'web' (did you mean 'connect'?)");
    Path invalid = file("invalid.yaml", """
        kind: Identity
        metadata: {name: client2}
        ---
        kind: Service
        metadata:
          name: web
        spec:
          accept: 443
          connect: [127.0.0.1:1]
        """);
    Run refused = aditctl("apply", "-f", invalid.toString());
    assertThat(refused.code()).isEqualTo(2);
    assertThat(refused.err()).startsWith("error: " + invalid + " line 4: Service 'web': a service needs --node NODE or --all-nodes");

    assertThat(aditctl("identity", "get", "client2").code()).as("the identity beside the bad service").isEqualTo(3);
    assertThat(ok("service", "get", "web", "-o", "json").out()).contains("127.0.0.1:9090");
  }

  @Test
  @Order(4)
  void moreObjectsThanEtcdTakesInOneTransactionGoInReportedBatches() throws Exception {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 130; i++) {
      b.append("kind: Identity\nmetadata: {name: bulk").append(i).append("}\n---\n");
    }
    Path bulk = file("bulk.yaml", b.toString());
    Run r = ok("apply", "-f", bulk.toString());
    assertThat(r.out()).contains("identity/bulk0 created\n").contains("identity/bulk129 created\n")
        .endsWith("applied in 3 transactions of at most 64 objects each (etcd's limit of operations per transaction):"
            + " each one is all or nothing, not the whole apply\n");
    assertThat(new ObjectMapper().readTree(ok("identity", "list", "-o", "json").out()).size()).isEqualTo(131);
    assertThat(ok("apply", "-f", bulk.toString()).out()).doesNotContain("created").doesNotContain("transactions");
  }

  @Test
  @Order(5)
  void dryRunsChangeNothingAndRecordNothing() throws Exception {
    int audited = auditEvents();
    String before = ok("service", "get", "web", "-o", "json").out();

    ok("service", "create", "api", "--accept", "7443", "--connect", "127.0.0.1:7000", "--node", "node-a", "--dry-run");
    ok("service", "update", "web", "--connect", "127.0.0.1:1234", "--dry-run");
    ok("service", "delete", "web-client", "--dry-run");
    ok("identity", "create", "client3", "--dry-run");
    Path changes = file("changes.yaml", """
        kind: Identity
        metadata: {name: client4}
        ---
        kind: Service
        metadata: {name: api2}
        spec: {accept: 7444, connect: [127.0.0.1:7000], nodes: [node-a]}
        """);
    assertThat(ok("apply", "-f", changes.toString(), "--dry-run").out()).isEqualTo("""
        identity/client4 created (dry run)
        service/api2 created (dry run)
        dry run: nothing was stored
        """);

    assertThat(aditctl("service", "get", "api").code()).isEqualTo(3);
    assertThat(aditctl("service", "get", "api2").code()).isEqualTo(3);
    assertThat(aditctl("identity", "get", "client3").code()).isEqualTo(3);
    assertThat(aditctl("identity", "get", "client4").code()).isEqualTo(3);
    ok("service", "get", "web-client");
    assertThat(ok("service", "get", "web", "-o", "json").out()).isEqualTo(before);
    assertThat(auditEvents()).isEqualTo(audited);
  }
}
