package io.adit.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.adit.api.v1.CertificateAuthority;
import io.adit.api.v1.ListCasResponse;
import io.adit.api.v1.RotateCaResponse;
import io.adit.cli.Cli;
import io.adit.common.config.ClientConfig;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code aditctl ca rotate} and {@code ca list}: what happens next, and what each CA waits for. */
class CaRotateCommandTest {
  @TempDir
  Path dir;
  Cli cli;

  static Timestamp at(Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).build();
  }

  static final CertificateAuthority PREPARED = CertificateAuthority.newBuilder().setId("newca").setState("prepared")
      .setSubject("CN=Adit CA 2,O=adit.local").setNotAfter(at(Instant.parse("2035-06-01T12:00:00Z")))
      .addWaitingForNodes("node2").addWaitingForNodes("node3").build();
  static final CertificateAuthority ACTIVE = CertificateAuthority.newBuilder().setId("oldca").setState("active")
      .setSubject("CN=Adit CA,O=adit.local").setNotAfter(at(Instant.parse("2035-01-01T00:00:00Z"))).build();

  @BeforeEach
  void setUp() {
    cli = new Cli(dir);
  }

  @Test
  void listShowsEachCaItsStateAndWhatItWaitsFor() {
    CertificateAuthority retiring = ACTIVE.toBuilder().setState("retiring")
        .setRetireTime(at(Cli.NOW.plusSeconds(3600))).setLastCertificate("service/web serial 0a1b").build();
    cli.controller.cas.add(ListCasResponse.newBuilder().addAuthorities(PREPARED).addAuthorities(retiring).build());

    var r = cli.run("ca", "list");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("ID", "STATE", "WAITING FOR")
        .containsPattern("newca +prepared +CN=Adit CA 2,O=adit.local +2035-06-01T12:00:00Z")
        .contains("waiting for: node2, node3 (older trust bundle)")
        .contains("retires after 2025-06-01T13:00:00Z (in 1h) (service/web serial 0a1b expires last)");
  }

  @Test
  void listAsJsonNamesTheNodesAPreparedCaWaitsFor() {
    cli.controller.cas.add(ListCasResponse.newBuilder().addAuthorities(PREPARED).addAuthorities(ACTIVE).build());

    var r = cli.run("ca", "list", "-o", "json");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).containsPattern("\"waitingForNodes\": \\[\\s*\"node2\",\\s*\"node3\"\\s*]")
        .contains("\"state\": \"active\"");
  }

  @Test
  void rotateSaysWhatHappensNextAndPutsTheNewBundleIntoItsOwnConfig() {
    cli.controller.rotation = RotateCaResponse.newBuilder().setPrepared(PREPARED).setBundlePem("OLD+NEW PEM\n").build();

    var r = cli.run("ca", "rotate");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("prepared CA newca (CN=Adit CA 2,O=adit.local): it is in the trust bundle now and"
        + " signs once every Ready node holds the new bundle\n")
        .contains("aditctl ca get > ca.crt").contains("aditctl ca list");
    assertThat(cli.controller.calls).containsExactly("rotateCa");
    assertThat(ClientConfig.read(dir.resolve("env.conf")).caPem()).isEqualTo("OLD+NEW PEM\n");
  }

  @Test
  void rotateWaitReturnsOnceTheNewCaIsActive() {
    cli.controller.rotation = RotateCaResponse.newBuilder().setPrepared(PREPARED).setBundlePem("PEM\n").build();
    cli.controller.cas.add(ListCasResponse.newBuilder().addAuthorities(PREPARED).build());
    cli.controller.cas.add(ListCasResponse.newBuilder().addAuthorities(PREPARED.toBuilder().setState("active")
        .clearWaitingForNodes()).build());

    var r = cli.run("ca", "rotate", "--wait", "30s");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("CA newca is active");
    assertThat(cli.controller.calls).containsExactly("rotateCa", "listCas", "listCas");
  }

  @Test
  void rotateWaitGivesUpAtItsDeadlineAndSaysWhatTheCaWaitsFor() {
    cli.controller.rotation = RotateCaResponse.newBuilder().setPrepared(PREPARED).setBundlePem("PEM\n").build();
    cli.controller.cas.add(ListCasResponse.newBuilder().addAuthorities(PREPARED).build());

    var r = cli.run("ca", "rotate", "--wait", "1s");

    assertThat(r.exitCode()).isEqualTo(ExitCode.UNAVAILABLE.code());
    assertThat(r.err()).contains("CA newca is not active after 1s: waiting for: node2, node3 (older trust bundle);"
        + " the rotation goes on");
  }

  @Test
  void crlAllAsksForEveryTrustedCasCrlInOnePem() {
    var r = cli.run("ca", "crl", "--all");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo(cli.controller.crlPem() + cli.controller.crlPem());
    assertThat(((io.adit.api.v1.GetCrlRequest) cli.controller.requests.get(0)).getAllTrusted()).isTrue();
  }

  @Test
  void crlAllWithDerIsRefusedBeforeAskingTheController() {
    var r = cli.run("ca", "crl", "--all", "--der", "--out", dir.resolve("x").toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--all gives every trusted CA's CRL in one PEM");
    assertThat(cli.controller.calls).isEmpty();
  }
}
