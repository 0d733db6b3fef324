package io.adit.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.api.v1.ApplyAction;
import io.adit.api.v1.ApplyRequest;
import io.adit.api.v1.ApplyResponse;
import io.adit.api.v1.ApplyResult;
import io.adit.api.v1.Mode;
import io.adit.api.v1.RelayChange;
import io.adit.api.v1.Service;
import io.adit.api.v1.ServiceSpec;
import io.adit.api.v1.Verify;
import io.adit.cli.Cli;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** apply and diff against the in-memory controller: what is sent, what is printed, exit codes. */
class ApplyCommandTest {
  @TempDir
  Path dir;
  Cli cli;
  static final ServiceSpec WEB = ServiceSpec.newBuilder().setName("web").setMode(Mode.MODE_SERVER).setAccept("443")
      .addConnect("127.0.0.1:8080").addNodes("n1").setVerify(Verify.VERIFY_REQUIRE).addAllow("client1")
      .setIdleTimeoutSeconds(600).build();

  @BeforeEach
  void setUp() {
    cli = new Cli(dir);
    cli.controller.services.put("web", Service.newBuilder().setSpec(WEB).setVersion(7).build());
  }

  ApplyRequest lastApply() {
    return (ApplyRequest) cli.controller.requests.get(cli.controller.calls.lastIndexOf("apply"));
  }

  @Test
  void getAsYamlReadsBackAsTheSameSpec() throws Exception {
    var get = cli.run("service", "get", "web", "-o", "yaml");
    assertThat(get.out()).startsWith("""
        apiVersion: adit/v1
        kind: Service
        metadata:
          name: web
        spec:
          accept: "443"
          connect:
            - 127.0.0.1:8080
          nodes:
            - n1
          verify: require
          allow:
            - client1
          idleTimeout: 10m
        status:
          version: 7
        """);
    Path file = Files.writeString(dir.resolve("web.yaml"), get.out());

    var apply = cli.run("apply", "-f", file.toString());

    assertThat(apply.exitCode()).as(apply.err()).isZero();
    assertThat(lastApply().getObjectsList()).singleElement().satisfies(o -> {
      assertThat(o.getService()).isEqualTo(WEB);
      assertThat(o.getSource()).isEqualTo(file + " line 1");
    });
    assertThat(lastApply().getDryRun()).isFalse();
  }

  @Test
  void aClientModeServiceWithAPemAndEveryOptionRoundTripsThroughYamlAndJson() throws Exception {
    ServiceSpec legacy = ServiceSpec.newBuilder().setName("legacy").setMode(Mode.MODE_CLIENT).setAccept("127.0.0.1:6001")
        .addConnect("legacy.example:443").addConnect("[2001:db8::1]:443").setAllNodes(true)
        .setServerName("legacy.example").setIdentity("client1").setCertTtlSeconds(90000)
        .setTrustCaPem(cli.controller.bundlePem()).setTlsMinVersion("1.3").setHandshakeTimeoutSeconds(5)
        .setConnectTimeoutSeconds(3).setIdleTimeoutSeconds(90).setMaxConnections(7).setFailover("rr")
        .addTlsCiphers("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384").addTlsCiphers("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256")
        .addTlsCiphersuites("TLS_AES_256_GCM_SHA384").addTlsCurves("X25519").addTlsCurves("P-384").build();
    cli.controller.services.put("legacy", Service.newBuilder().setSpec(legacy).setVersion(9).build());
    for (String format : new String[] {"yaml", "json"}) {
      Path file = Files.writeString(dir.resolve("legacy." + format), cli.run("service", "get", "legacy", "-o", format).out());
      assertThat(cli.run("apply", "-f", file.toString()).exitCode()).isZero();
      assertThat(lastApply().getObjects(0).getService()).as(format).isEqualTo(legacy.toBuilder().setVerify(Verify.VERIFY_UNSPECIFIED).build());
    }
  }

  @Test
  void applyPrintsWhatHappenedToEachObjectAndSaysWhenItTookSeveralTransactions() throws Exception {
    Path file = Files.writeString(dir.resolve("f.yaml"), "kind: Identity\nmetadata: {name: c1}\n");
    ServiceSpec changed = WEB.toBuilder().clearConnect().addConnect("127.0.0.1:9090").build();
    cli.controller.applyResponse = ApplyResponse.newBuilder().setBatches(2).setBatchSize(64)
        .addResults(ApplyResult.newBuilder().setKind("Service").setName("web").setAction(ApplyAction.APPLY_ACTION_UPDATED)
            .setBefore(WEB).setAfter(changed).addWarnings("node n1 has not joined yet"))
        .addResults(ApplyResult.newBuilder().setKind("Identity").setName("c1").setAction(ApplyAction.APPLY_ACTION_UNCHANGED))
        .build();

    var r = cli.run("apply", "-f", file.toString(), "--dry-run");

    assertThat(lastApply().getDryRun()).isTrue();
    assertThat(r.out()).isEqualTo("""
        service/web updated (dry run) (connect)
        identity/c1 unchanged
        dry run: nothing was stored
        """);
    assertThat(r.err()).isEqualTo("warning: service/web: node n1 has not joined yet\n");
    assertThat(cli.run("apply", "-f", file.toString()).out()).endsWith(
        "applied in 2 transactions of at most 64 objects each (etcd's limit of operations per transaction):"
            + " each one is all or nothing, not the whole apply\n");
  }

  @Test
  void diffShowsEachFieldAndEachRelayAndExitsOneWhenSomethingWouldChange() throws Exception {
    Path file = Files.writeString(dir.resolve("f.yaml"), "kind: Identity\nmetadata: {name: c1}\n");
    ServiceSpec changed = WEB.toBuilder().clearConnect().addConnect("127.0.0.1:9090").setIdleTimeoutSeconds(0).build();
    cli.controller.applyResponse = ApplyResponse.newBuilder()
        .addResults(ApplyResult.newBuilder().setKind("Service").setName("web").setSource("f.yaml line 1")
            .setAction(ApplyAction.APPLY_ACTION_UPDATED).setBefore(WEB).setAfter(changed)
            .addRelays(RelayChange.newBuilder().setNode("n1").setService("web").setAction("restart")
                .setReason("changed connect, idleTimeoutSeconds")))
        .addResults(ApplyResult.newBuilder().setKind("Identity").setName("c1").setSource("f.yaml line 9")
            .setAction(ApplyAction.APPLY_ACTION_CREATED))
        .addResults(ApplyResult.newBuilder().setKind("Identity").setName("c2").setAction(ApplyAction.APPLY_ACTION_UNCHANGED))
        .build();

    var r = cli.run("diff", "-f", file.toString());

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(lastApply().getDryRun()).isTrue();
    assertThat(r.out()).isEqualTo("""
        ~ Service web (f.yaml line 1): update
            connect: [127.0.0.1:8080] -> [127.0.0.1:9090]
            idleTimeout: 10m -> (unset)
            node n1 restarts relay web (changed connect, idleTimeoutSeconds)
        + Identity c1 (f.yaml line 9): create
        1 other object is unchanged
        """);

    cli.controller.applyResponse = ApplyResponse.newBuilder()
        .addResults(ApplyResult.newBuilder().setKind("Identity").setName("c1").setAction(ApplyAction.APPLY_ACTION_UNCHANGED))
        .build();
    var none = cli.run("diff", "-f", file.toString());
    assertThat(none.exitCode()).isZero();
    assertThat(none.out()).isEqualTo("no changes: all 1 objects are as declared\n");
    assertThat(cli.run("diff", "--help").out()).contains("Exit codes:\n  0   No change: everything in the files is as stored.\n"
        + "  1   Changes: apply would create or update something").contains("  2   Usage error");
  }

  @Test
  void anUnknownFieldIsAUsageErrorAndNothingIsSent() throws Exception {
    Path file = Files.writeString(dir.resolve("f.yaml"), "kind: Service\nmetadata: {name: web}\nspec:\n  conect: [a:1]\n");
    var r = cli.run("apply", "-f", file.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).startsWith("error: " + file + " line 4: unknown field 'conect' in Service 'web' (did you mean 'connect'?)\n");
    assertThat(cli.controller.calls).doesNotContain("apply");
  }

  @Test
  void aConflictExitsFourWithTheControllersReason() throws Exception {
    Path file = Files.writeString(dir.resolve("f.yaml"), "kind: Identity\nmetadata: {name: c1}\n");
    cli.controller.failCall = "apply";
    cli.controller.failWith = Status.ABORTED.withDescription(
        "Service 'web' changed since it was read, so nothing was written: run apply again");
    var r = cli.run("apply", "-f", file.toString());
    assertThat(r.exitCode()).isEqualTo(4);
    assertThat(r.err()).isEqualTo("error: Service 'web' changed since it was read, so nothing was written: run apply again\n");
  }

  @Test
  void identityCreateDryRunStoresNothing() {
    var r = cli.run("identity", "create", "c9", "--dry-run");
    assertThat(r.out()).isEqualTo("identity c9 can be created (dry run: nothing was stored)\n");
    assertThat(cli.controller.identities).doesNotContainKey("c9");
  }
}
