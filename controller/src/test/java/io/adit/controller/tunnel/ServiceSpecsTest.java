package io.adit.controller.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adit.api.v1.Mode;
import io.adit.api.v1.ServiceSpec;
import io.adit.api.v1.Verify;
import io.adit.common.pki.Keys;
import io.adit.common.pki.Pem;
import io.adit.common.pki.SpiffeId;
import io.adit.common.validation.InvalidInputException;
import io.adit.controller.ca.Authorities;
import io.adit.controller.ca.CaMaterial;
import io.adit.controller.ca.CertificateSigner;
import java.time.Clock;
import java.time.Duration;
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

  static final CaMaterial CA = Authorities.createRoot("adit.test", Clock.systemUTC());
  static final String CA_PEM = Pem.encode(CA.certificate());
  static final String LEAF_PEM = Pem.encode(new CertificateSigner(CA, Clock.systemUTC()).sign(
      Keys.csr(Keys.generateP256(), "leaf"),
      CertificateSigner.LeafRequest.of(new SpiffeId("adit.test", SpiffeId.Kind.SERVICE, "leaf"), Duration.ofHours(1))));

  @Test
  void keepsTheNewFieldsOfAValidSpec() {
    ServiceSpec server = ServiceSpecs.normalize(server().addDnsNames("web.example.com").addDnsNames("*.web.example.com")
        .addIpAddresses("192.0.2.7").addIpAddresses("::1").setTlsMinVersion("1.3").setHandshakeTimeoutSeconds(5)
        .setConnectTimeoutSeconds(2).setIdleTimeoutSeconds(60).setMaxConnections(50).build());
    assertThat(server.getDnsNamesList()).containsExactly("web.example.com", "*.web.example.com");
    assertThat(server.getIpAddressesList()).containsExactly("192.0.2.7", "::1");
    assertThat(server.getMaxConnections()).isEqualTo(50);
    ServiceSpec client = ServiceSpecs.normalize(client().setTrustCaPem(CA_PEM).build());
    assertThat(client.getTrustCaPem()).isEqualTo(CA_PEM);
  }

  @Test
  void keepsRoundRobinFailoverAndStoresPrioAsTheDefault() {
    assertThat(ServiceSpecs.normalize(server().setFailover("rr").build()).getFailover()).isEqualTo("rr");
    assertThat(ServiceSpecs.normalize(server().setFailover("prio").build()).getFailover()).isEmpty();
    assertThat(ServiceSpecs.normalize(client().setFailover("rr").build()).getFailover()).isEqualTo("rr");
  }

  @Test
  void storesCipherSuitesAndCurvesInOneSpellingWhicheverTheUserGave() {
    ServiceSpec s = ServiceSpecs.normalize(server()
        .addTlsCiphers("ECDHE-ECDSA-AES128-GCM-SHA256").addTlsCiphers("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256")
        .addTlsCiphers("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")
        .addTlsCiphersuites("tls_aes_256_gcm_sha384")
        .addTlsCurves("x25519").addTlsCurves("prime256v1").addTlsCurves("secp384r1").build());
    assertThat(s.getTlsCiphersList()).containsExactly("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    assertThat(s.getTlsCiphersuitesList()).containsExactly("TLS_AES_256_GCM_SHA384");
    assertThat(s.getTlsCurvesList()).containsExactly("X25519", "P-256", "P-384");
    assertThat(ServiceSpecs.normalize(s)).isEqualTo(s);
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
  void warnsWhereOnlyOneTlsProviderHonoursTheSpec() {
    assertThat(ServiceSpecs.warnings(ServiceSpecs.normalize(server().addTlsCiphersuites("TLS_AES_256_GCM_SHA384")
        .addTlsCurves("X25519").build()))).containsExactly(
        "--ciphersuites: BoringSSL, the agents' default TLS provider, always offers all three TLS 1.3 suites;"
            + " the service runs only on agents started with --tls-provider jdk and is Failed on the others",
        "--curves: agents started with --tls-provider jdk cannot set key-exchange groups; the service is Failed"
            + " on them");
    assertThat(ServiceSpecs.warnings(ServiceSpecs.normalize(server().addTlsCiphers("ECDHE-RSA-AES128-GCM-SHA256")
        .addAllTlsCiphersuites(io.adit.common.validation.TlsNames.TLS13_SUITES).build()))).isEmpty();
  }

  @Test
  void warnsThatTls12SuitesMeanNothingWhenTls12IsLeftOut() {
    assertThat(ServiceSpecs.warnings(ServiceSpecs.normalize(server().addTlsCiphers("ECDHE-RSA-AES128-GCM-SHA256")
        .setTlsMinVersion("1.3").build()))).containsExactly(
        "--ciphers lists TLS 1.2 suites, but --tls-min-version 1.3 leaves TLS 1.2 out: they are never used");
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
        bad("to itself", s -> s.setMode(Mode.MODE_CLIENT).clearConnect().setTo("service1"), "names the service itself"),
        bad("dns name in client mode", s -> s.setMode(Mode.MODE_CLIENT).setServerName("x").addDnsNames("a.example"),
            "--dns-name applies to server mode"),
        bad("bad dns name", s -> s.addDnsNames("not a name"), "--dns-name 'not a name' is not a valid DNS name"),
        bad("duplicate dns name", s -> s.addDnsNames("a.example").addDnsNames("a.example"), "given twice"),
        bad("bad ip", s -> s.addIpAddresses("10.0.0.300"), "--ip '10.0.0.300' is not an IPv4 or IPv6 address"),
        bad("host name as ip", s -> s.addIpAddresses("db.example"), "not an IPv4 or IPv6 address"),
        bad("trust-ca in server mode", s -> s.setTrustCaPem(CA_PEM), "--trust-ca applies to client mode"),
        bad("trust-ca with to", s -> s.setMode(Mode.MODE_CLIENT).clearConnect().setTo("web").setTrustCaPem(CA_PEM),
            "--to web is an Adit service"),
        bad("trust-ca not PEM", s -> s.setMode(Mode.MODE_CLIENT).setServerName("x").setTrustCaPem("hello"),
            "--trust-ca holds no certificate"),
        bad("trust-ca a leaf", s -> s.setMode(Mode.MODE_CLIENT).setServerName("x").setTrustCaPem(LEAF_PEM),
            "is not a CA certificate"),
        bad("tls 1.1", s -> s.setTlsMinVersion("1.1"), "--tls-min-version must be 1.2 or 1.3"),
        bad("negative idle timeout", s -> s.setIdleTimeoutSeconds(-1), "--idle-timeout must be positive"),
        bad("negative connection cap", s -> s.setMaxConnections(-5), "--max-connections must be positive"),
        bad("proxy v3", s -> s.setProxyProtocol("v3"), "--proxy-protocol must be v1 or v2"),
        bad("proxy in client mode", s -> s.setMode(Mode.MODE_CLIENT).setServerName("x").setProxyProtocol("v1"),
            "--proxy-protocol applies to server mode"),
        bad("failover random", s -> s.setFailover("random"), "--failover must be prio or rr, not 'random'"),
        bad("cipher expression", s -> s.addTlsCiphers("HIGH").addTlsCiphers("!aNULL"),
            "--ciphers: HIGH is part of an OpenSSL cipher expression (like HIGH:!aNULL), not the name of a suite;"
                + " list the suites explicitly"),
        bad("cipher default", s -> s.addTlsCiphers("DEFAULT"), "list the suites explicitly"),
        bad("cipher without forward secrecy", s -> s.addTlsCiphers("AES128-GCM-SHA256"),
            "--ciphers: AES128-GCM-SHA256 is a weak suite: it has no forward secrecy. Adit offers ECDHE suites with"
                + " AES-GCM or ChaCha20-Poly1305: ECDHE-ECDSA-AES128-GCM-SHA256"),
        bad("cbc cipher", s -> s.addTlsCiphers("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"),
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA is a weak suite: its cipher is not AEAD"),
        bad("rc4 cipher", s -> s.addTlsCiphers("RC4-SHA"), "neither forward secrecy nor an AEAD cipher"),
        bad("unknown strong cipher", s -> s.addTlsCiphers("DHE-RSA-AES128-GCM-SHA256"),
            "DHE-RSA-AES128-GCM-SHA256 is not a suite Adit's TLS engines offer"),
        bad("tls 1.3 suite in ciphers", s -> s.addTlsCiphers("TLS_AES_128_GCM_SHA256"),
            "TLS_AES_128_GCM_SHA256 is a TLS 1.3 suite; TLS 1.3 suites are set with ciphersuites"),
        bad("tls 1.2 suite in ciphersuites", s -> s.addTlsCiphersuites("ECDHE-RSA-AES128-GCM-SHA256"),
            "--ciphersuites: ECDHE-RSA-AES128-GCM-SHA256 is a TLS 1.2 suite"),
        bad("unknown curve", s -> s.addTlsCurves("brainpoolP256r1"),
            "--curves: brainpoolP256r1 is not a key-exchange group Adit supports; use X25519, P-256"));
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
