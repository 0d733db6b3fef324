package io.adit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.api.v1.CreateServiceRequest;
import io.adit.api.v1.Mode;
import io.adit.api.v1.ServiceSpec;
import io.adit.api.v1.Verify;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AditCtlTest {
  @TempDir
  Path dir;
  Cli cli;

  @BeforeEach
  void setUp() {
    cli = new Cli(dir);
  }

  private ServiceSpec createdSpec() {
    return ((CreateServiceRequest) cli.controller.requests.get(cli.controller.calls.indexOf("createService"))).getSpec();
  }

  @Test
  void acceptsGlobalOptionsBeforeTheSubcommand() {
    Path conf = Cli.writeConfig(dir.resolve("flag.conf"), "from-flag:7443");
    var r = cli.run("--config", conf.toString(), "--timeout", "3s", "-o", "json", "service", "list");
    assertThat(r.exitCode()).isZero();
    assertThat(cli.lastConfig().controllers()).containsExactly("from-flag:7443");
    assertThat(cli.lastTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(r.out().strip()).isEqualTo("[]");
  }

  @Test
  void acceptsGlobalOptionsAfterTheSubcommand() {
    Path conf = Cli.writeConfig(dir.resolve("flag.conf"), "from-flag:7443");
    var r = cli.run("service", "list", "--config", conf.toString(), "--timeout", "1m", "-o", "yaml");
    assertThat(r.exitCode()).isZero();
    assertThat(cli.lastConfig().controllers()).containsExactly("from-flag:7443");
    assertThat(cli.lastTimeout()).isEqualTo(Duration.ofMinutes(1));
    assertThat(r.out().strip()).isEqualTo("[]");
  }

  @Test
  void acceptsGlobalOptionsBetweenNounAndVerb() {
    Path conf = Cli.writeConfig(dir.resolve("flag.conf"), "from-flag:7443");
    var r = cli.run("service", "--config", conf.toString(), "list");
    assertThat(r.exitCode()).isZero();
    assertThat(cli.lastConfig().controllers()).containsExactly("from-flag:7443");
  }

  @Test
  void timeoutDefaultsToTenSeconds() {
    assertThat(cli.run("service", "list").exitCode()).isZero();
    assertThat(cli.lastTimeout()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void readsTheConfigNamedByTheEnvironmentWithoutFlag() {
    assertThat(cli.run("service", "list").exitCode()).isZero();
    assertThat(cli.lastConfig().controllers()).containsExactly("from-env:7443");
  }

  @Test
  void fallsBackToTheConfigInTheHomeDirectory() {
    cli.env.remove("ADIT_CONFIG");
    Cli.writeConfig(dir.resolve("home/.adit/config"), "from-home:7443");
    assertThat(cli.run("service", "list").exitCode()).isZero();
    assertThat(cli.lastConfig().controllers()).containsExactly("from-home:7443");
  }

  @Test
  void aMissingConfigNamesTheFileAndHowToGetOne() {
    cli.env.remove("ADIT_CONFIG");
    var r = cli.run("service", "list");
    assertThat(r.exitCode()).isEqualTo(7);
    assertThat(r.err()).contains(dir.resolve("home/.adit/config").toString())
        .contains("the controller writes DATA_DIR/admin.conf at first start; pass it with --config or copy it to ~/.adit/config");
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.out()).isEmpty();
  }

  @Test
  void aMissingConfigFromTheEnvironmentSaysWhereItsNameCameFrom() {
    cli.env.put("ADIT_CONFIG", dir.resolve("nope.conf").toString());
    var r = cli.run("node", "list");
    assertThat(r.exitCode()).isEqualTo(7);
    assertThat(r.err()).contains("nope.conf").contains("$ADIT_CONFIG");
  }

  @Test
  void helpNeedsNoConfigAndListsExitCodesAndAnExample() {
    cli.env.remove("ADIT_CONFIG");
    for (String[] cmd : new String[][] {{}, {"service"}, {"service", "create"}, {"service", "update"},
        {"service", "list"}, {"service", "get"}, {"service", "delete"}, {"identity"}, {"identity", "create"},
        {"identity", "list"}, {"identity", "get"}, {"identity", "revoke"}, {"identity", "issue"}, {"cert"},
        {"cert", "inspect"}, {"cert", "revoke"}, {"cert", "revocations"}, {"admin"}, {"admin", "issue"}, {"audit"}, {"completion"}, {"ca"},
        {"ca", "get"}, {"node"}, {"node", "list"}, {"node", "delete"}, {"node", "token"}, {"node", "token", "create"},
        {"node", "token", "list"}, {"node", "token", "revoke"}}) {
      String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(cmd), java.util.stream.Stream.of("--help"))
          .toArray(String[]::new);
      var r = cli.run(args);
      assertThat(r.exitCode()).as(String.join(" ", args)).isZero();
      assertThat(r.out()).as(String.join(" ", args))
          .contains("Exit codes:").contains("  7   Config problem").contains("aditctl ")
          .containsPattern("Examples?:\\n(  .*\\n)*  aditctl");
    }
    assertThat(cli.connections).isEmpty();
  }

  @Test
  void aServiceWithoutPlacementIsAUsageErrorThatExplainsWhy() {
    var r = cli.run("service", "create", "web", "--accept", "443", "--connect", "127.0.0.1:8080");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).startsWith("error: a service needs --node NODE or --all-nodes: placement is explicit so a "
        + "forgotten flag never opens a port on every host\n");
    assertThat(cli.controller.calls).isEmpty();
  }

  @Test
  void nodeAndAllNodesTogetherIsAUsageError() {
    var r = cli.run("service", "create", "web", "--accept", "443", "--connect", "h:1", "--node", "a", "--all-nodes");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("give --node or --all-nodes, not both");
  }

  @Test
  void connectAndToTogetherIsAUsageError() {
    var r = cli.run("service", "create", "web", "--client", "--accept", "6000", "--connect", "h:1", "--to", "api",
        "--all-nodes");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("give --connect or --to, not both");
    assertThat(cli.controller.calls).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--accept|99999|--accept '99999': port 99999 is out of range, use 1-65535",
      "--accept|http|--accept 'http' has no valid port",
      "--connect|8080|--connect '8080' has no host: give HOST:PORT",
      "--connect|h:0|--connect 'h:0': port 0 is out of range"})
  void aBadAddressIsAUsageErrorNamingTheFlag(String flag, String value, String message) {
    String accept = flag.equals("--accept") ? value : "443";
    String connect = flag.equals("--connect") ? value : "127.0.0.1:8080";
    var r = cli.run("service", "create", "web", "--accept", accept, "--connect", connect, "--node", "n1");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).startsWith("error: " + message);
    assertThat(cli.controller.calls).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"Web", "web_1", "web-", "a.b"})
  void aBadServiceNameIsAUsageError(String name) {
    var r = cli.run("service", "create", name, "--accept", "443", "--connect", "h:1", "--node", "n1");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).startsWith("error: service name '" + name + "' is not a valid DNS label");
  }

  @Test
  void aBadNodeNameNamesTheFlag() {
    var r = cli.run("service", "create", "web", "--accept", "443", "--connect", "h:1", "--node", "Node_A");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).startsWith("error: --node 'Node_A' is not a valid DNS label");
  }

  @Test
  void anUnknownOptionIsPicocliMessageAndExitTwo() {
    var r = cli.run("service", "list", "--bogus");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("Unknown option: '--bogus'").contains("aditctl service list --help");
  }

  @Test
  void aMissingParameterIsPicocliMessageAndExitTwo() {
    var r = cli.run("service", "get");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("Missing required parameter: 'NAME'");
  }

  @Test
  void aMissingSubcommandIsAUsageError() {
    assertThat(cli.run("service").exitCode()).isEqualTo(2);
    assertThat(cli.run().exitCode()).isEqualTo(2);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "--timeout|soon|--timeout 'soon' is not a duration", "--timeout|0s|--timeout must be longer than 0",
      "-o|xml|'xml' is not an output format: use table, json or yaml"})
  void badGlobalValuesAreUsageErrors(String flag, String value, String message) {
    var r = cli.run("service", "list", flag, value);
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains(message);
  }

  @Test
  void createDefaultsToServerModeAndRequiredVerification() {
    var r = cli.run("service", "create", "web", "--accept", "443", "--connect", "127.0.0.1:8080,127.0.0.1:8081",
        "--node", "n1", "--node", "n2");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).isEqualTo("service web created (version 101)\n");
    ServiceSpec spec = createdSpec();
    assertThat(spec.getMode()).isEqualTo(Mode.MODE_SERVER);
    assertThat(spec.getVerify()).isEqualTo(Verify.VERIFY_REQUIRE);
    assertThat(spec.getConnectList()).containsExactly("127.0.0.1:8080", "127.0.0.1:8081");
    assertThat(spec.getNodesList()).containsExactly("n1", "n2");
    assertThat(spec.getAllNodes()).isFalse();
  }

  @Test
  void createSendsEveryFlag() {
    var r = cli.run("service", "create", "web-client", "--client", "--accept", "127.0.0.1:6000", "--to", "web",
        "--all-nodes", "--server-name", "web.example", "--identity", "client1", "--cert-ttl", "12h", "--dry-run");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("dry run");
    CreateServiceRequest req = (CreateServiceRequest) cli.controller.requests.get(0);
    assertThat(req.getDryRun()).isTrue();
    assertThat(req.getSpec()).isEqualTo(ServiceSpec.newBuilder().setName("web-client").setMode(Mode.MODE_CLIENT)
        .setAccept("127.0.0.1:6000").setTo("web").setAllNodes(true).setVerify(Verify.VERIFY_REQUIRE)
        .setServerName("web.example").setIdentity("client1").setCertTtlSeconds(43200).build());
  }

  @Test
  void createSendsTheTlsNamesTimeoutsAndCap() throws Exception {
    var r = cli.run("service", "create", "web", "--accept", "443", "--connect", "127.0.0.1:8080", "--node", "n1",
        "--dns-name", "Web.Example.com,web.internal", "--ip", "192.0.2.7", "--ip", "::1", "--tls-min-version", "1.3",
        "--handshake-timeout", "5s", "--connect-timeout", "2s", "--idle-timeout", "1m", "--max-connections", "50",
        "--proxy-protocol", "V2", "--failover", "rr");
    assertThat(r.exitCode()).as(r.err()).isZero();
    ServiceSpec spec = createdSpec();
    assertThat(spec.getDnsNamesList()).containsExactly("web.example.com", "web.internal");
    assertThat(spec.getIpAddressesList()).containsExactly("192.0.2.7", "::1");
    assertThat(spec.getTlsMinVersion()).isEqualTo("1.3");
    assertThat(spec.getHandshakeTimeoutSeconds()).isEqualTo(5);
    assertThat(spec.getConnectTimeoutSeconds()).isEqualTo(2);
    assertThat(spec.getIdleTimeoutSeconds()).isEqualTo(60);
    assertThat(spec.getMaxConnections()).isEqualTo(50);
    assertThat(spec.getProxyProtocol()).isEqualTo("v2");
    assertThat(spec.getFailover()).isEqualTo("rr");
  }

  @Test
  void createSendsCipherSuitesAndCurvesSeparatedAsStunnelDoesInIanaSpelling() throws Exception {
    var r = cli.run("service", "create", "web", "--accept", "443", "--connect", "127.0.0.1:8080", "--node", "n1",
        "--ciphers", "ECDHE-ECDSA-AES128-GCM-SHA256:TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "--ciphersuites", "TLS_AES_256_GCM_SHA384", "--curves", "X25519,prime256v1");
    assertThat(r.exitCode()).as(r.err()).isZero();
    ServiceSpec spec = createdSpec();
    assertThat(spec.getTlsCiphersList())
        .containsExactly("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    assertThat(spec.getTlsCiphersuitesList()).containsExactly("TLS_AES_256_GCM_SHA384");
    assertThat(spec.getTlsCurvesList()).containsExactly("X25519", "P-256");
  }

  @Test
  void trustCaIsReadFromTheFileAndStoredWithTheSpec() throws Exception {
    String pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    Path ca = java.nio.file.Files.writeString(dir.resolve("legacy-ca.crt"), pem);
    var r = cli.run("service", "create", "to-legacy", "--client", "--accept", "6000", "--connect", "legacy:443",
        "--server-name", "legacy.example", "--trust-ca", ca.toString(), "--node", "n1");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(createdSpec().getTrustCaPem()).isEqualTo(pem);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--trust-ca|missing.crt|--trust-ca missing.crt: no such file",
      "--tls-min-version|1.1|--tls-min-version must be 1.2 or 1.3, not '1.1'",
      "--idle-timeout|500ms|--idle-timeout 500ms is below one second",
      "--max-connections|-1|--max-connections must be positive",
      "--proxy-protocol|v3|--proxy-protocol must be v1, v2 or none",
      "--failover|random|--failover must be prio or rr, not 'random'",
      "--ciphers|HIGH:!aNULL|--ciphers: HIGH is part of an OpenSSL cipher expression",
      "--ciphers|AES128-SHA|--ciphers: AES128-SHA is a weak suite",
      "--curves|secp256k1|--curves: secp256k1 is not a key-exchange group Adit supports"})
  void badTlsAndLimitFlagsAreUsageErrors(String flag, String value, String message) {
    var r = cli.run("service", "create", "web", "--client", "--accept", "6000", "--connect", "h:1",
        "--server-name", "h", "--node", "n1", flag, value);
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains(message);
    assertThat(cli.controller.calls).doesNotContain("createService");
  }

  @Test
  void toWithoutClientModeIsAUsageError() {
    var r = cli.run("service", "create", "c", "--accept", "6000", "--to", "web", "--all-nodes");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--to works in client mode only: add --client");
  }

  @Test
  void aBadVerifyLevelIsAUsageError() {
    var r = cli.run("service", "create", "web", "--accept", "443", "--connect", "h:1", "--node", "n", "--verify", "2");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("'2' is not a verify level: use none, optional or require");
  }

  @Test
  void printsTheControllersWarningsOnStderr() {
    cli.controller.warnings = java.util.List.of("verify is none: anyone can connect", "node n9 has not joined");
    var r = cli.run("service", "create", "web", "--accept", "443", "--connect", "h:1", "--node", "n9",
        "--verify", "none");
    assertThat(r.exitCode()).isZero();
    assertThat(r.err()).isEqualTo("warning: verify is none: anyone can connect\nwarning: node n9 has not joined\n");
    assertThat(r.out()).doesNotContain("warning");
  }

  @Test
  void theControllersInvalidArgumentMessageIsPrintedAsIs() {
    cli.controller.failCall = "createService";
    cli.controller.failWith = io.grpc.Status.INVALID_ARGUMENT.withDescription("--accept 22: port 22 is reserved for ssh");
    var r = cli.run("service", "create", "web", "--accept", "22", "--connect", "h:1", "--node", "n");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("error: --accept 22: port 22 is reserved for ssh\n");
  }

  @Test
  void stackTracesOnlyWithVerbose() {
    cli.controller.failCall = "listServices";
    cli.controller.failWith = io.grpc.Status.INTERNAL.withDescription("boom");
    var quiet = cli.run("service", "list");
    assertThat(quiet.exitCode()).isEqualTo(1);
    assertThat(quiet.err()).isEqualTo("error: boom\n");
    cli.controller.failCall = "listServices";
    var verbose = cli.run("service", "list", "--verbose");
    assertThat(verbose.err()).startsWith("error: boom\n").contains("StatusRuntimeException").contains("\tat ");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', nullValues = "null", value = {
      "service list|service", "--config f service list|service", "-o json node list|node",
      "--timeout=3s --verbose identity get x|identity", "--help|null", "help service|null", "servce list|null",
      "--config ca get|null"})
  void findsTheNounSoThatOnlyItsBranchIsBuilt(String args, String noun) {
    assertThat(AditCtl.nounIn(args.split(" "))).isEqualTo(noun);
  }

  @Test
  void rootHelpListsEveryNoun() {
    var r = cli.run("--help");
    assertThat(r.out()).contains("  service ", "  identity ", "  ca ", "  node ", "  help ");
  }

  @Test
  void aMistypedNounGetsASuggestion() {
    var r = cli.run("servce", "list");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("Unmatched arguments").contains("service");
  }

  @Test
  void closesTheConnectionWhenDone() {
    cli.run("service", "list");
    assertThat(cli.controller.closed).isTrue();
  }
}
