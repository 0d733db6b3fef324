package io.adit.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.api.v1.Mode;
import io.adit.api.v1.Service;
import io.adit.api.v1.ServiceSpec;
import io.adit.api.v1.UpdateServiceRequest;
import io.adit.api.v1.Verify;
import io.adit.cli.Cli;
import io.grpc.Status;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceCommandTest {
  @TempDir
  Path dir;
  Cli cli;
  static final ServiceSpec WEB = ServiceSpec.newBuilder().setName("web").setMode(Mode.MODE_SERVER).setAccept("443")
      .addConnect("127.0.0.1:8080").addNodes("n1").setVerify(Verify.VERIFY_REQUIRE).addAllow("client1").build();

  @BeforeEach
  void setUp() {
    cli = new Cli(dir);
    cli.controller.services.put("web", Service.newBuilder().setSpec(WEB).setVersion(7).build());
  }

  private UpdateServiceRequest lastUpdate() {
    return (UpdateServiceRequest) cli.controller.requests.get(cli.controller.calls.lastIndexOf("updateService"));
  }

  @Test
  void updateChangesOnlyTheFlagsGivenAndSwapsOnTheVersionRead() {
    var r = cli.run("service", "update", "web", "--connect", "10.0.0.1:80,10.0.0.2:80");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(cli.controller.calls).containsExactly("getService", "updateService");
    assertThat(lastUpdate().getExpectedVersion()).isEqualTo(7);
    assertThat(lastUpdate().getSpec()).isEqualTo(WEB.toBuilder().clearConnect()
        .addConnect("10.0.0.1:80").addConnect("10.0.0.2:80").build());
    assertThat(r.out()).isEqualTo("service web updated (version 101)\n");
  }

  @Test
  void updateToAllNodesDropsTheNodeList() {
    assertThat(cli.run("service", "update", "web", "--all-nodes").exitCode()).isZero();
    assertThat(lastUpdate().getSpec().getNodesList()).isEmpty();
    assertThat(lastUpdate().getSpec().getAllNodes()).isTrue();
  }

  @Test
  void updateWithAnEmptyAllowClearsTheList() {
    assertThat(cli.run("service", "update", "web", "--allow=").exitCode()).isZero();
    assertThat(lastUpdate().getSpec().getAllowList()).isEmpty();
  }

  @Test
  void updateToAnotherServiceInClientModeDropsConnect() {
    var r = cli.run("service", "update", "web", "--client", "--to", "api", "--identity", "client1");
    assertThat(r.exitCode()).as(r.err()).isZero();
    ServiceSpec spec = lastUpdate().getSpec();
    assertThat(spec.getConnectList()).isEmpty();
    assertThat(spec.getTo()).isEqualTo("api");
    assertThat(spec.getMode()).isEqualTo(Mode.MODE_CLIENT);
  }

  @Test
  void updateWithoutAnyFlagIsAUsageError() {
    var r = cli.run("service", "update", "web");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("nothing to change");
    assertThat(cli.controller.calls).doesNotContain("updateService");
  }

  @Test
  void aConcurrentChangeSaysToRunAgainAndExitsWithConflict() {
    cli.controller.failCall = "updateService";
    cli.controller.failWith = Status.ABORTED.withDescription("revision 7 is not current");
    var r = cli.run("service", "update", "web", "--verify", "optional");
    assertThat(r.exitCode()).isEqualTo(4);
    assertThat(r.err()).isEqualTo("error: service web changed since it was read; run the command again\n");
  }

  @Test
  void updatingAnUnknownServiceIsNotFound() {
    var r = cli.run("service", "update", "nope", "--accept", "80");
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.err()).isEqualTo("error: service nope not found\n");
  }

  @Test
  void createOfAnExistingServiceIsAConflict() {
    var r = cli.run("service", "create", "web", "--accept", "443", "--connect", "h:1", "--node", "n1");
    assertThat(r.exitCode()).isEqualTo(4);
    assertThat(r.err()).isEqualTo("error: service web already exists\n");
  }

  @Test
  void deletePrintsWhatItDid() {
    var r = cli.run("service", "delete", "web");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).isEqualTo("service web deleted\n");
    assertThat(cli.controller.services).doesNotContainKey("web");
  }

  @Test
  void getInJsonPrintsTheObjectAsApplyReadsIt() {
    var r = cli.run("service", "get", "web", "-o", "json");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).startsWith("{\n  \"apiVersion\": \"adit/v1\",\n  \"kind\": \"Service\",\n"
        + "  \"metadata\": {\n    \"name\": \"web\"\n  },\n  \"spec\": {\n").contains("\n  \"status\": {\n    \"version\": ");
    assertThat(r.err()).isEmpty();
  }
}
