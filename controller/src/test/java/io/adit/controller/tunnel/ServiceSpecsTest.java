package io.adit.controller.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adit.api.v1.Mode;
import io.adit.api.v1.ServiceSpec;
import io.adit.api.v1.Verify;
import io.adit.common.validation.InvalidInputException;
import java.util.function.UnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import java.util.stream.Stream;

class ServiceSpecsTest {
  static ServiceSpec.Builder server() {
    return ServiceSpec.newBuilder().setName("service1").setAccept("6000").addConnect("127.0.0.1:7000").addNodes("n1");
  }

  static ServiceSpec.Builder client() {
    return ServiceSpec.newBuilder().setName("c1").setMode(Mode.MODE_CLIENT).setAccept("8000")
        .addConnect("remote.example:6000").setServerName("service1").addNodes("n1");
  }

  @Test
  void fillsInServerModeAndRequiredVerification() {
    ServiceSpec s = ServiceSpecs.normalize(server().build());
    assertThat(s.getMode()).isEqualTo(Mode.MODE_SERVER);
    assertThat(s.getVerify()).isEqualTo(Verify.VERIFY_REQUIRE);
    assertThat(ServiceSpecs.warnings(s)).isEmpty();
  }

  @Test
  void warnsAboutWeakVerificationButAcceptsIt() {
    assertThat(ServiceSpecs.warnings(ServiceSpecs.normalize(server().setVerify(Verify.VERIFY_NONE).build())))
        .singleElement().asString().contains("verify = 0");
    assertThat(ServiceSpecs.warnings(ServiceSpecs.normalize(server().setVerify(Verify.VERIFY_OPTIONAL).build())))
        .singleElement().asString().contains("verify = 1");
  }

  @Test
  void acceptsAClientModeServiceWithServerNameOrTo() {
    assertThat(ServiceSpecs.normalize(client().build()).getVerify()).isEqualTo(Verify.VERIFY_REQUIRE);
    assertThat(ServiceSpecs.normalize(client().clearConnect().clearServerName().setTo("service1").build()).getTo())
        .isEqualTo("service1");
  }

  static Stream<Arguments> badSpecs() {
    return Stream.of(
        bad("name with capitals", s -> s.setName("Service1"), "not a valid DNS label"),
        bad("name too long", s -> s.setName("a".repeat(64)), "at most 63"),
        bad("no placement", ServiceSpec.Builder::clearNodes, "--node NODE or --all-nodes"),
        bad("both placements", s -> s.setAllNodes(true), "either --node or --all-nodes"),
        bad("bad node", s -> s.addNodes("Node_2"), "--node 'Node_2'"),
        bad("duplicate node", s -> s.addNodes("n1"), "--node n1 is given twice"),
        bad("port zero", s -> s.setAccept("0"), "out of range"),
        bad("port too big", s -> s.setAccept("65536"), "out of range"),
        bad("port not a number", s -> s.setAccept("http"), "no valid port"),
        bad("connect without host", s -> s.setConnect(0, "7000"), "has no host"),
        bad("no backend", ServiceSpec.Builder::clearConnect, "needs --connect"),
        bad("connect and to", s -> s.setTo("other"), "not both"),
        bad("to in server mode", s -> s.clearConnect().setTo("other"), "--to SERVICE is for client mode"),
        bad("allow with verify none", s -> s.setVerify(Verify.VERIFY_NONE).addAllow("client1"), "--allow needs client certificates"),
        bad("server name in server mode", s -> s.setServerName("x"), "--server-name applies to client mode"),
        bad("identity in server mode", s -> s.setIdentity("client1"), "--identity applies to client mode"),
        bad("negative ttl", s -> s.setCertTtlSeconds(-1), "--cert-ttl must be positive"),
        bad("client without server name", s -> s.setMode(Mode.MODE_CLIENT), "needs --server-name NAME"),
        bad("client with weak verify", s -> s.setMode(Mode.MODE_CLIENT).setServerName("x").setVerify(Verify.VERIFY_NONE),
            "always verifies the server"),
        bad("client with allow", s -> s.setMode(Mode.MODE_CLIENT).setServerName("x").addAllow("a"), "--allow applies to server mode"),
        bad("to itself", s -> s.setMode(Mode.MODE_CLIENT).clearConnect().setTo("service1"), "names the service itself"));
  }

  static Arguments bad(String what, UnaryOperator<ServiceSpec.Builder> change, String message) {
    return Arguments.of(what, change, message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badSpecs")
  void refusesABadSpecNamingTheFlag(String what, UnaryOperator<ServiceSpec.Builder> change, String message) {
    ServiceSpec spec = change.apply(server()).build();
    assertThatThrownBy(() -> ServiceSpecs.normalize(spec)).isInstanceOf(InvalidInputException.class).hasMessageContaining(message);
  }
}
