package io.adit.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.api.v1.Service;
import io.adit.api.v1.ServiceSpec;
import io.adit.cli.Cli;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code aditctl import stunnel}: what it says, what it creates, and that it creates all or nothing. */
class ImportCommandTest {
  @TempDir
  Path dir;
  Cli cli;
  Path walkthrough = Path.of("src/test/resources/stunnel/walkthrough.conf");

  @BeforeEach
  void setUp() {
    cli = new Cli(dir);
  }

  @Test
  void createsEveryServiceAndPrintsTheNameMappingAndNotes() {
    var r = cli.run("import", "stunnel", walkthrough.toString(), "--node", "node1");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(cli.controller.services).containsOnlyKeys("service1", "service1-secure");
    assertThat(r.out()).isEqualTo("service service1 created (version 101)\nservice service1-secure created (version 102)\n");
    assertThat(r.err()).startsWith("[service1] -> service1\n[service1-secure] -> service1-secure\n"
        + "note: walkthrough.conf:2: output: steers stunnel's own process;")
        .contains("warning: walkthrough.conf:5: [service1] has no verify");
    // each is checked by the controller (dry run) before the first is stored
    assertThat(cli.controller.calls).containsExactly("listServices", "createService", "createService",
        "createService", "createService");
  }

  @Test
  void anUnsupportedOptionIsListedWithItsLineAndNothingIsCreated() throws Exception {
    Path conf = Files.writeString(dir.resolve("s.conf"), "[web]\naccept = 443\nconnect = h:80\nciphers = HIGH\n"
        + "[cgi]\naccept = 8080\nexec = /usr/bin/cgi\n");
    var r = cli.run("import", "stunnel", conf.toString(), "--node", "node1");
    assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE.code());
    assertThat(r.err()).contains(
        "unsupported: s.conf:4: ciphers: HIGH is part of an OpenSSL cipher expression (like HIGH:!aNULL), not the name of a suite; list the suites explicitly",
        "unsupported: s.conf:5: [cgi]: has no connect",
        "unsupported: s.conf:7: exec: runs a program per connection; Adit relays to a TCP address",
        "cannot import [cgi]",
        "the 3 unsupported item(s) above cannot be carried over; nothing was created (--skip-unsupported creates the"
            + " rest)");
    assertThat(cli.controller.calls).isEmpty();
  }

  @Test
  void skipUnsupportedCreatesWhatConverts() throws Exception {
    Path conf = Files.writeString(dir.resolve("s.conf"), "[web]\naccept = 443\nconnect = h:80\nciphers = HIGH\n"
        + "[cgi]\naccept = 8080\nexec = /usr/bin/cgi\n");
    var r = cli.run("import", "stunnel", conf.toString(), "--all-nodes", "--skip-unsupported");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.err()).contains("skipped: s.conf:4: ciphers:", "skipped [cgi]");
    assertThat(cli.controller.services).containsOnlyKeys("web");
    assertThat(cli.controller.services.get("web").getSpec().getAllNodes()).isTrue();
  }

  @Test
  void aNameThatIsTakenRefusesTheWholeImportBeforeWriting() {
    cli.controller.services.put("service1-secure", Service.newBuilder()
        .setSpec(ServiceSpec.newBuilder().setName("service1-secure")).build());
    var r = cli.run("import", "stunnel", walkthrough.toString(), "--node", "node1");
    assertThat(r.exitCode()).isEqualTo(ExitCode.CONFLICT.code());
    assertThat(r.err()).contains("service service1-secure already exists; nothing was created");
    assertThat(cli.controller.calls).containsExactly("listServices");
  }

  @Test
  void whenALaterCreateFailsTheServicesJustCreatedAreDeletedAgain() {
    cli.controller.failCall = "createService";
    cli.controller.failCallAfter = 3; // two dry runs and the first real create pass
    cli.controller.failWith = Status.UNAVAILABLE.withDescription("etcd is unavailable");
    var r = cli.run("import", "stunnel", walkthrough.toString(), "--node", "node1");
    assertThat(r.exitCode()).isEqualTo(ExitCode.UNAVAILABLE.code());
    assertThat(r.err()).contains("creating service1-secure failed; deleting the 1 service(s) this import created");
    assertThat(cli.controller.services).isEmpty();
    assertThat(cli.controller.calls).endsWith("createService", "createService", "deleteService");
  }

  @Test
  void dryRunShowsTheServicesAndStoresNothing() {
    var r = cli.run("import", "stunnel", walkthrough.toString(), "--node", "node1", "--dry-run");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("NAME", "service1 ", "service1-secure ", "node1",
        "2 service(s) are valid (dry run: nothing was stored)");
    assertThat(cli.controller.services).isEmpty();

    var json = cli.run("import", "stunnel", walkthrough.toString(), "--node", "node1", "--dry-run", "-o", "json");
    assertThat(json.out()).startsWith("[").contains("\"name\": \"service1\"").doesNotContain("dry run");
  }

  @Test
  void placementIsRequired() {
    var r = cli.run("import", "stunnel", walkthrough.toString());
    assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE.code());
    assertThat(r.err()).contains("a service needs --node NODE or --all-nodes");
    assertThat(cli.controller.calls).isEmpty();
  }

  @Test
  void aMissingFileIsAUsageError() {
    var r = cli.run("import", "stunnel", dir.resolve("nope.conf").toString(), "--node", "n1");
    assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE.code());
    assertThat(r.err()).contains("nope.conf: no such file");
  }
}
