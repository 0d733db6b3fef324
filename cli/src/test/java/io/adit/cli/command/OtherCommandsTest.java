package io.adit.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.adit.api.v1.AuditEvent;
import io.adit.api.v1.Identity;
import io.adit.api.v1.JoinTokenInfo;
import io.adit.api.v1.Node;
import io.adit.api.v1.Kind;
import io.adit.api.v1.SignCertificateRequest;
import io.adit.cli.Cli;
import io.adit.common.config.ClientConfig;
import io.adit.common.pki.Keys;
import io.adit.common.pki.Pem;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.bouncycastle.asn1.x509.KeyPurposeId;
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
    assertThat(get.out()).startsWith("apiVersion: adit/v1\nkind: Identity\nmetadata:\n  name: client1\nspec: {}\nstatus:\n")
        .contains("\n  revoked: true\n");
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
  void adminIssueWritesANamedPrivateCredentialForTheSameControllers() throws Exception {
    Path file = dir.resolve("alice.conf");
    var r = cli.run("admin", "issue", "alice", "--out", file.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo(file + "\n");
    assertThat(r.err()).startsWith("issued an admin credential for alice: serial ");
    SignCertificateRequest req = (SignCertificateRequest) cli.controller.requests.get(
        cli.controller.calls.indexOf("signCertificate"));
    assertThat(req.getKind()).isEqualTo(Kind.KIND_ADMIN);
    assertThat(req.getName()).isEqualTo("alice");
    assertThat(req.getTtlSeconds()).isEqualTo(30 * 86400);
    ClientConfig written = ClientConfig.read(file);
    assertThat(written.controllers()).containsExactly("ctl-1:7443", "ctl-2:7443");
    assertThat(written.identity()).isEqualTo("spiffe://adit.local/admin/alice");
    assertThat(Files.getPosixFilePermissions(file)).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ,
        PosixFilePermission.OWNER_WRITE);

    var again = cli.run("admin", "issue", "alice", "--out", file.toString());
    assertThat(again.exitCode()).isEqualTo(4);
    assertThat(again.err()).contains("already exists: pass --force");
  }

  @Test
  void aCredentialThatExpiresWithinAWeekIsWarnedAboutOnStderr() throws Exception {
    KeyPair key = Keys.generateP256();
    X509Certificate soon = cli.controller.pki.leaf(key.getPublic(), "admin", Cli.NOW.minusSeconds(60),
        Duration.ofDays(3), List.of(KeyPurposeId.id_kp_clientAuth), "spiffe://adit.local/admin/admin");
    Path conf = dir.resolve("soon.conf");
    ClientConfig.of(List.of("ctl:7443"), "adit.local", "admin", cli.controller.bundlePem(), Pem.encode(soon),
        Pem.encode(key.getPrivate())).write(conf);

    var r = cli.run("--config", conf.toString(), "service", "list", "-o", "json");

    assertThat(r.exitCode()).isZero();
    assertThat(r.out().strip()).isEqualTo("[]");
    assertThat(r.err()).isEqualTo("warning: the credential in " + conf + " expires at " + Cli.NOW.plus(Duration.ofDays(3))
        .minusSeconds(60) + " (in 2d23h): get a new one with aditctl admin issue NAME --out FILE\n");
  }

  @Test
  void nodeDeleteSaysWhatItRevokedAndAnUnknownNodeIsNotFound() {
    cli.controller.nodes.add(Node.newBuilder().setName("node3").build());
    var r = cli.run("node", "delete", "node3");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("node node3 deleted; 1 certificate(s) revoked (abc123)\n");
    assertThat(cli.run("node", "delete", "node3").exitCode()).isEqualTo(3);
  }

  @Test
  void tokenListShowsStatesWithoutSecretsAndRevokeMarksOne() {
    cli.controller.tokens.add(JoinTokenInfo.newBuilder().setId("aa11").setCreateTime(ago(600))
        .setExpireTime(ago(-300)).setCreatedBy("spiffe://adit.local/admin/admin").build());
    cli.controller.tokens.add(JoinTokenInfo.newBuilder().setId("bb22").setCreateTime(ago(500))
        .setExpireTime(ago(-300)).setUsedBy("node1").setUsedTime(ago(400)).build());
    cli.controller.tokens.add(JoinTokenInfo.newBuilder().setId("cc33").setCreateTime(ago(900))
        .setExpireTime(ago(300)).build());

    var list = cli.run("node", "token", "list");
    assertThat(list.out()).contains("aa11   unused").contains("bb22   used by node1").contains("cc33   expired");

    var revoke = cli.run("node", "token", "revoke", "aa11");
    assertThat(revoke.out()).isEqualTo("join token aa11 revoked\n");
    assertThat(cli.run("node", "token", "list").out()).contains("aa11   revoked");
  }

  @Test
  void auditListsWhoChangedWhatWithFilters() {
    cli.controller.audit.add(AuditEvent.newBuilder().setTime(ago(7200)).setActor("spiffe://adit.local/admin/alice")
        .setAction("service.create").setTarget("web").build());
    cli.controller.audit.add(AuditEvent.newBuilder().setTime(ago(60)).setActor("spiffe://adit.local/admin/bob")
        .setAction("cert.revoke").setTarget("3f2a").setDetail("client/client1: lost").build());

    var all = cli.run("audit");
    assertThat(all.exitCode()).as(all.err()).isZero();
    assertThat(all.out()).isEqualTo("""
        TIME                   ACTOR         ACTION           TARGET   DETAIL
        2025-06-01T10:00:00Z   admin/alice   service.create   web      -
        2025-06-01T11:59:00Z   admin/bob     cert.revoke      3f2a     client/client1: lost
        """);
    assertThat(cli.run("audit", "--since", "1h").out()).doesNotContain("service.create").contains("cert.revoke");
    assertThat(cli.run("audit", "--action", "service.create", "-o", "json").out())
        .contains("\"actor\": \"spiffe://adit.local/admin/alice\"").doesNotContain("cert.revoke");
    assertThat(cli.run("audit", "--since", "soon").exitCode()).isEqualTo(2);
  }

  @Test
  void completionCoversEveryCommandAndFlagWithoutAController() throws Exception {
    var r = cli.run("completion", "bash");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("complete -F _complete_aditctl").contains("service").contains("--proxy-protocol")
        .contains("revocations").contains("--dns-name").contains("inspect");
    assertThat(cli.connections).isEmpty();
    Path script = Files.writeString(dir.resolve("aditctl.bash"), r.out());
    var syntax = io.adit.testing.Tools.run(List.of("bash", "-n", script.toString()), "", Duration.ofSeconds(10));
    assertThat(syntax.exitCode()).as(syntax.err()).isZero();

    assertThat(cli.run("completion", "zsh").out()).startsWith("autoload -U +X compinit && compinit\n");
    assertThat(cli.run("completion", "fish").exitCode()).isEqualTo(2);
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
