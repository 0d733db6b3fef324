package io.adit.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.adit.api.v1.Identity;
import io.adit.api.v1.Node;
import io.adit.cli.Cli;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OtherCommandsTest {
  @TempDir
  Path dir;
  Cli cli;

  @BeforeEach
  void setUp() {
    cli = new Cli(dir);
  }

  static Timestamp ago(long seconds) {
    return Timestamp.newBuilder().setSeconds(Cli.NOW.getEpochSecond() - seconds).build();
  }

  @Test
  void caGetPrintsThePemAndNothingElse() {
    var r = cli.run("ca", "get");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).isEqualTo(cli.controller.bundlePem());
    assertThat(r.err()).isEmpty();
  }

  @Test
  void tokenCreatePrintsTheTokenAloneAndItsExpiryOnStderr() {
    var r = cli.run("node", "token", "create", "--ttl", "30m");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).isEqualTo("tok1.secret\n");
    assertThat(r.err()).startsWith("token tok1 expires at ");
    assertThat(cli.controller.requests).contains(1800L);
  }

  @Test
  void tokenCreateRefusesABadTtl() {
    var r = cli.run("node", "token", "create", "--ttl", "10");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--ttl '10' is not a duration");
  }

  @Test
  void nodeListShowsReadinessHeartbeatAddressAndJoinTime() {
    cli.controller.nodes.add(Node.newBuilder().setName("node-a").setReady(true).setLastHeartbeat(ago(4))
        .setAdvertiseAddress("10.0.0.1").setJoinTime(ago(2 * 86400)).build());
    cli.controller.nodes.add(Node.newBuilder().setName("node-b").setReady(false).setLastHeartbeat(ago(600))
        .setAdvertiseAddress("10.0.0.2").setJoinTime(ago(3600)).build());
    var r = cli.run("node", "list");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).isEqualTo("""
        NAME     READY      LAST HEARTBEAT   ADDRESS    JOINED
        node-a   Ready      4s ago           10.0.0.1   2d ago
        node-b   NotReady   10m ago          10.0.0.2   1h ago
        """);
  }

  @Test
  void nodeListInJson() {
    cli.controller.nodes.add(Node.newBuilder().setName("node-a").setReady(true).setLastHeartbeat(ago(4)).build());
    var r = cli.run("node", "list", "-o", "json");
    assertThat(r.out()).isEqualTo("""
        [
          {
            "name": "node-a",
            "ready": true,
            "lastHeartbeat": "2025-06-01T11:59:56Z",
            "address": null,
            "joinTime": null,
            "tokenId": null
          }
        ]
        """);
  }

  @Test
  void identityLifecycle() {
    assertThat(cli.run("identity", "create", "client1").out()).isEqualTo("identity client1 created\n");
    assertThat(cli.run("identity", "create", "Client1").exitCode()).isEqualTo(2);
    assertThat(cli.run("identity", "revoke", "client1").out()).isEqualTo("identity client1 revoked\n");
    var get = cli.run("identity", "get", "client1", "-o", "yaml");
    assertThat(get.out()).contains("name: client1\nrevoked: true\n");
    var list = cli.run("identity", "list");
    assertThat(list.out()).startsWith("NAME      STATUS    LAST SERIAL   LAST EXPIRES   AGE\nclient1   Revoked");
    assertThat(cli.run("identity", "get", "nobody").exitCode()).isEqualTo(3);
  }

  @Test
  void certRevokeSendsTheSerialAsGivenAndSaysWhatWasRevoked() {
    var r = cli.run("cert", "revoke", "serial=0A1B2C", "--reason", "laptop lost");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(cli.controller.requests).contains("serial=0A1B2C");
    assertThat(r.out()).isEqualTo("certificate serial=0a1b2c (client client1) revoked at 2025-06-15T15:06:40Z\n");

    var list = cli.run("cert", "revocations");
    assertThat(list.out()).isEqualTo("""
        SERIAL          FOR              REVOKED                BY                                EXPIRES   REASON
        serial=0a1b2c   client client1   2025-06-15T15:06:40Z   spiffe://adit.local/admin/admin   -         laptop lost
        """);
    assertThat(cli.run("cert", "revocations", "-o", "json").out()).contains("\"serial\": \"serial=0a1b2c\"")
        .contains("\"kind\": \"client\"").contains("\"reason\": \"laptop lost\"");
  }

  @Test
  void certRevokeWithoutASerialIsAUsageError() {
    var r = cli.run("cert", "revoke");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("SERIAL");
    assertThat(cli.controller.calls).isEmpty();
  }

  @Test
  void identityGetOfAnUnknownNameIsNotFound() {
    cli.controller.identities.put("a", Identity.newBuilder().setName("a").build());
    var r = cli.run("identity", "get", "b");
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.err()).isEqualTo("error: identity b not found\n");
  }
}
