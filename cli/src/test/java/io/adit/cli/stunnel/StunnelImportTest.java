package io.adit.cli.stunnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.api.v1.Mode;
import io.adit.api.v1.ServiceSpec;
import io.adit.api.v1.Verify;
import io.adit.cli.TestPki;
import io.adit.cli.stunnel.StunnelImport.Converted;
import io.adit.cli.stunnel.StunnelImport.Placement;
import io.adit.cli.stunnel.StunnelImport.Problem;
import io.adit.cli.stunnel.StunnelImport.Remark;
import io.adit.cli.stunnel.StunnelImport.Result;
import io.adit.common.pki.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StunnelImportTest {
  static final Placement NODE1 = new Placement(List.of("node1"), false);

  @TempDir
  Path dir;

  Result convert(String text) throws Exception {
    return StunnelImport.convert(StunnelConf.read(Files.writeString(dir.resolve("s.conf"), text)), NODE1);
  }

  static ServiceSpec spec(Result r, String name) {
    return r.services().stream().map(Converted::spec).filter(s -> s.getName().equals(name)).findFirst().orElseThrow();
  }

  static List<String> lines(List<?> items) {
    return items.stream().map(Object::toString).toList();
  }

  @Test
  void theWalkthroughConvertsWhole() {
    Result r = StunnelImport.convert(StunnelConf.read(StunnelConfTest.resource("walkthrough.conf")), NODE1);
    assertThat(r.convertsWhole()).as(lines(r.problems()).toString()).isTrue();
    assertThat(r.names()).containsExactly(java.util.Map.entry("service1", "service1"),
        java.util.Map.entry("service1-secure", "service1-secure"));
    assertThat(spec(r, "service1")).isEqualTo(ServiceSpec.newBuilder().setName("service1").setMode(Mode.MODE_SERVER)
        .setAccept("6000").addConnect("127.0.0.1:7000").addNodes("node1").setVerify(Verify.VERIFY_NONE).build());
    assertThat(spec(r, "service1-secure")).isEqualTo(ServiceSpec.newBuilder().setName("service1-secure")
        .setMode(Mode.MODE_SERVER).setAccept("6001").addConnect("127.0.0.1:7000").addNodes("node1")
        .setVerify(Verify.VERIFY_REQUIRE).build());
    assertThat(lines(r.warnings())).containsExactly("walkthrough.conf:5: [service1] has no verify: stunnel's default,"
        + " no client certificate checked, becomes --verify none; add verify = 2 (or later aditctl service update"
        + " service1 --verify require) to require Adit identities");
    assertThat(lines(r.notes())).contains(
        "walkthrough.conf:2: output: steers stunnel's own process; skipped (the agent runs under systemd and logs to"
            + " its journal)",
        "walkthrough.conf:7: connect: 7000 is 127.0.0.1:7000 (stunnel's localhost)",
        "walkthrough.conf:8: cert: not read: replaced by certificates Adit issues and renews (DNS name service1; add"
            + " others with --dns-name or --ip)",
        "walkthrough.conf:17: CAfile: not read: clients are checked against the cluster CA; they need Adit"
            + " identities, or certificates from a CA imported into the controller");
  }

  @Test
  void aClientThatConnectsToAServerOfTheImportIsLinkedToIt() {
    Result r = StunnelImport.convert(StunnelConf.read(StunnelConfTest.resource("pair.conf")), NODE1);
    assertThat(r.convertsWhole()).as(lines(r.problems()).toString()).isTrue();
    assertThat(r.services()).extracting(Converted::section).containsExactly("testserver", "testclient");
    assertThat(spec(r, "testclient")).isEqualTo(ServiceSpec.newBuilder().setName("testclient")
        .setMode(Mode.MODE_CLIENT).setAccept("127.0.0.1:9000").setTo("testserver").addNodes("node1").build());
    assertThat(spec(r, "testserver").getConnectList()).containsExactly("127.0.0.1:8080");
    assertThat(lines(r.notes())).contains(
        "pair.conf:14: connect: reaches [testserver] of this import: linked to that service (--to testserver),"
            + " trusting the cluster CA",
        "pair.conf:15: CAfile: not read: the server is an Adit service, trusted through the cluster CA",
        "pair.conf:17: checkHost: not needed: the server's certificate is Adit's, named testserver, and that name is"
            + " checked",
        "pair.conf:9: key: not read: Adit makes each key on the node that uses it",
        "pair.conf:3: debug: steers stunnel's own process; skipped (the agent runs under systemd and logs to its"
            + " journal)");
  }

  @Test
  void aClientLinkedToAServerThatRequiresCertificatesIsToldToGetAnIdentity() throws Exception {
    Result r = convert("[srv]\naccept = 0.0.0.0:8443\nconnect = b:1\nverify = 2\n"
        + "[cli]\nclient = yes\naccept = 9000\nconnect = localhost:8443\n");
    assertThat(spec(r, "cli").getTo()).isEqualTo("srv");
    assertThat(lines(r.warnings())).contains("s.conf:5: [srv] asks for client certificates: give cli an identity"
        + " (aditctl identity create NAME, then aditctl service update cli --identity NAME)");
  }

  @ParameterizedTest(name = "verify = {0} -> {1}")
  @CsvSource({"0, VERIFY_NONE", "1, VERIFY_OPTIONAL", "2, VERIFY_REQUIRE"})
  void verifyLevelsMapToAdits(String level, Verify expected) throws Exception {
    Result r = convert("[s]\naccept = 1\nconnect = h:2\nverify = " + level + "\n");
    assertThat(r.convertsWhole()).isTrue();
    assertThat(spec(r, "s").getVerify()).isEqualTo(expected);
    assertThat(r.warnings()).isEmpty();
  }

  @ParameterizedTest(name = "verifyChain = {0}, requireCert = {1} -> {2}")
  @CsvSource({"yes, no, VERIFY_OPTIONAL", "yes, yes, VERIFY_REQUIRE", "no, yes, VERIFY_REQUIRE", "no, no, VERIFY_NONE"})
  void verifyChainAndRequireCertMapLikeVerify(String chain, String require, Verify expected) throws Exception {
    Result r = convert("[s]\naccept = 1\nconnect = h:2\nverifyChain = " + chain + "\nrequireCert = " + require + "\n");
    assertThat(spec(r, "s").getVerify()).isEqualTo(expected);
  }

  @ParameterizedTest(name = "verify = {0} is refused")
  @CsvSource({"3", "4"})
  void pinningThePeersCertificateIsUnsupportedAndDropsTheSection(String level) throws Exception {
    Result r = convert("[s]\naccept = 1\nconnect = h:2\nverify = " + level + "\n[t]\naccept = 3\nconnect = h:4\n");
    assertThat(lines(r.problems())).containsExactly("s.conf:4: verify: verify = " + level + " pins the peer's own"
        + " certificate; Adit trusts a CA and names identities (--allow)");
    assertThat(r.skipped()).containsExactly("s");
    assertThat(r.services()).extracting(Converted::section).containsExactly("t");
  }

  @Test
  void severalConnectsAreFailoverInOrderOrRoundRobin() throws Exception {
    Result prio = convert("[s]\naccept = 1\nconnect = a:1\nconnect = b:2\nfailover = prio\n");
    assertThat(prio.convertsWhole()).isTrue();
    assertThat(spec(prio, "s").getConnectList()).containsExactly("a:1", "b:2");
    Result rr = convert("[s]\naccept = 1\nconnect = a:1\nconnect = b:2\nfailover = rr\n");
    assertThat(rr.convertsWhole()).isTrue();
    assertThat(spec(rr, "s").getConnectList()).containsExactly("a:1", "b:2");
    assertThat(spec(rr, "s").getFailover()).isEqualTo("rr");
    assertThat(spec(prio, "s").getFailover()).isEmpty();
  }

  @Test
  void aClientOfAForeignServerKeepsItsCaFileAndCheckedName() throws Exception {
    String ca = Pem.encode(new TestPki("Legacy CA").ca);
    Files.writeString(dir.resolve("legacy-ca.pem"), ca);
    Result r = convert("[out]\nclient = yes\naccept = 127.0.0.1:7000\nconnect = legacy.example:443\n"
        + "CAfile = legacy-ca.pem\nverify = 2\ncheckHost = Legacy.Example\n");
    assertThat(r.convertsWhole()).as(lines(r.problems()).toString()).isTrue();
    assertThat(spec(r, "out")).isEqualTo(ServiceSpec.newBuilder().setName("out").setMode(Mode.MODE_CLIENT)
        .setAccept("127.0.0.1:7000").addConnect("legacy.example:443").addNodes("node1").setServerName("legacy.example")
        .setTrustCaPem(ca).build());
    assertThat(lines(r.notes())).contains("s.conf:5: CAfile: read and stored with the service (--trust-ca)");
  }

  @Test
  void sniNamesTheServerWhenCheckHostIsAbsentAndAWeakerClientVerifyIsWarned() throws Exception {
    Files.writeString(dir.resolve("ca.pem"), Pem.encode(new TestPki("Legacy CA").ca));
    Result r = convert("[out]\nclient = yes\naccept = 7000\nconnect = 10.0.0.1:443\nCAfile = ca.pem\nsni = legacy.example\n");
    assertThat(spec(r, "out").getServerName()).isEqualTo("legacy.example");
    assertThat(lines(r.warnings())).containsExactly(
        "s.conf:1: [out] client = yes without verify: Adit's client relay always verifies the server's certificate"
            + " and name",
        "s.conf:3: accept = 7000: in client mode Adit binds a bare port on loopback only, where stunnel binds every"
            + " address; write 0.0.0.0:7000 to keep that");
  }

  @Test
  void aClientOfAForeignServerNeedsACaFileAndAName() throws Exception {
    Result r = convert("[out]\nclient = yes\naccept = 7000\nconnect = 10.0.0.1:443\nverify = 2\nCApath = /etc/ssl\n");
    assertThat(lines(r.problems())).containsExactly(
        "s.conf:1: [out]: client = yes without checkHost or sni: Adit checks the server's name, so give checkHost ="
            + " NAME (a name in the server's certificate)",
        "s.conf:1: [out]: client = yes without CAfile: Adit verifies the server, so give CAfile = the CA that issued"
            + " the server's certificate",
        "s.conf:6: CApath: Adit stores one PEM bundle with the service: put the CA certificates in one CAfile");
    assertThat(r.skipped()).containsExactly("out");
  }

  @ParameterizedTest(name = "{0} = {1} -> min {2}")
  @CsvSource({"sslVersion, TLSv1.3, 1.3", "sslVersionMin, TLSv1.3, 1.3", "sslVersionMin, TLSv1.2, 1.2",
      "sslVersionMax, TLSv1.3, ''"})
  void tlsVersionsMapToTheFloor(String option, String value, String min) throws Exception {
    Result r = convert("[s]\naccept = 1\nconnect = h:2\n" + option + " = " + value + "\n");
    assertThat(r.convertsWhole()).isTrue();
    assertThat(spec(r, "s").getTlsMinVersion()).isEqualTo(min);
  }

  @Test
  void tlsVersionsAdisDoesNotSpeakAreWarnedOrRefused() throws Exception {
    Result max12 = convert("[s]\naccept = 1\nconnect = h:2\nsslVersionMax = TLSv1.2\nverify = 2\n");
    assertThat(lines(max12.warnings())).containsExactly("s.conf:4: sslVersionMax = TLSv1.2: Adit also offers TLS"
        + " 1.3, which peers that speak it will choose; a maximum below 1.3 is not supported");
    Result old = convert("[s]\naccept = 1\nconnect = h:2\nsslVersion = TLSv1\n");
    assertThat(lines(old.problems())).containsExactly("s.conf:4: sslVersion: Adit speaks TLS 1.2 and 1.3 only");
    Result min10 = convert("[s]\naccept = 1\nconnect = h:2\nsslVersionMin = TLSv1.1\n");
    assertThat(spec(min10, "s").getTlsMinVersion()).isEqualTo("1.2");
    assertThat(lines(min10.warnings())).contains("s.conf:4: sslVersionMin = TLSv1.1: raised to TLSv1.2, Adit's lowest;"
        + " peers that speak only older versions are refused");
  }

  @Test
  void timeoutsAndProxyProtocolMapToTheirFields() throws Exception {
    Result r = convert("[s]\naccept = 1\nconnect = h:2\nTIMEOUTbusy = 20\nTIMEOUTidle = 600\nTIMEOUTconnect = 3\n"
        + "TIMEOUTclose = 0\nprotocol = proxy\n");
    assertThat(r.convertsWhole()).isTrue();
    ServiceSpec s = spec(r, "s");
    assertThat(List.of(s.getHandshakeTimeoutSeconds(), s.getIdleTimeoutSeconds(), s.getConnectTimeoutSeconds()))
        .containsExactly(20L, 600L, 3L);
    assertThat(s.getProxyProtocol()).isEqualTo("v1");
    assertThat(lines(r.notes())).contains("s.conf:7: TIMEOUTclose: skipped: Adit closes without waiting for the peer's"
        + " close_notify, as TIMEOUTclose = 0 does");
  }

  @Test
  void serviceOptionsBeforeTheFirstSectionApplyToEverySectionThatDoesNotSetThem() throws Exception {
    Result r = convert("setuid = stunnel4\nTIMEOUTidle = 60\nverify = 2\n[a]\naccept = 1\nconnect = h:2\n"
        + "[b]\naccept = 3\nconnect = h:4\nverify = 0\n");
    assertThat(spec(r, "a").getIdleTimeoutSeconds()).isEqualTo(60);
    assertThat(spec(r, "b").getIdleTimeoutSeconds()).isEqualTo(60);
    assertThat(spec(r, "a").getVerify()).isEqualTo(Verify.VERIFY_REQUIRE);
    assertThat(spec(r, "b").getVerify()).isEqualTo(Verify.VERIFY_NONE);
    assertThat(r.problems()).isEmpty();
    assertThat(lines(r.notes())).contains("s.conf:1: setuid: steers stunnel's own process; skipped (the agent runs"
        + " under systemd and logs to its journal)");
  }

  @Test
  void sectionNamesBecomeDnsLabelsOrAreRefused() throws Exception {
    Result r = convert("[Web_Front]\naccept = 1\nconnect = h:2\n[web.front]\naccept = 3\nconnect = h:4\n"
        + "[web-front]\naccept = 5\nconnect = h:6\n");
    assertThat(r.names()).containsExactly(java.util.Map.entry("Web_Front", "web-front"));
    assertThat(lines(r.problems())).containsExactly(
        "s.conf:4: [web.front]: cannot be a service name: a service name is a DNS label (letters, digits and '-', at"
            + " most 63, starting and ending with a letter or digit); rename the section",
        "s.conf:7: [web-front]: becomes web-front, the name of another section; rename one of them");
    assertThat(r.skipped()).containsExactly("web.front", "web-front");
  }

  @Test
  void whatCannotBeCarriedOverIsListedWithItsLineAndReason() throws Exception {
    Result r = convert("[a]\naccept = 1\nexec = /usr/sbin/pppd\nexecArgs = pppd local\n[b]\naccept = 2\nconnect = h:3\n"
        + "protocol = smtp\n[c]\naccept = 4\nconnect = h:5\nciphers = HIGH\ncurves = prime256v1\nengine = auto\n"
        + "[d]\naccept = 6\nconnect = h:7\nciphersuites = TLS_AES_256_GCM_SHA384\nsessionCacheSize = 10\n");
    assertThat(lines(r.problems())).containsExactly(
        "s.conf:1: [a]: has no connect: Adit relays to a TCP address (exec is not supported)",
        "s.conf:3: exec: runs a program per connection; Adit relays to a TCP address",
        "s.conf:4: execArgs: runs a program per connection; Adit relays to a TCP address",
        "s.conf:8: protocol: negotiates smtp before TLS; Adit speaks TLS from the first byte",
        "s.conf:12: ciphers: HIGH is part of an OpenSSL cipher expression (like HIGH:!aNULL), not the name of a"
            + " suite; list the suites explicitly. Adit offers ECDHE suites with AES-GCM or ChaCha20-Poly1305:"
            + " ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
            + "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305 (TLS 1.2) and"
            + " TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256 (TLS 1.3)"
            + " (without it, the service keeps Adit's default)",
        "s.conf:14: engine: crypto engines are not supported: Adit makes and keeps its own keys",
        "s.conf:19: sessionCacheSize: Adit has no equivalent");
    assertThat(r.convertsWhole()).isFalse();
    // What --skip-unsupported creates: d without sessionCacheSize; a, b and c cannot do without theirs.
    assertThat(r.skipped()).containsExactly("a", "b", "c");
    assertThat(r.services()).extracting(Converted::section).containsExactly("d");
    assertThat(r.problems()).filteredOn(Problem::dropsSection).hasSize(5);
  }

  @Test
  void ciphersCiphersuitesAndCurvesAreCarriedInIanaAndAditSpelling() throws Exception {
    Result r = convert("[s]\naccept = 1\nconnect = h:2\n"
        + "ciphers = ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305\n"
        + "ciphersuites = TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256\ncurves = X25519:prime256v1:secp384r1\n");
    assertThat(r.convertsWhole()).as(lines(r.problems()).toString()).isTrue();
    ServiceSpec s = spec(r, "s");
    assertThat(s.getTlsCiphersList())
        .containsExactly("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    assertThat(s.getTlsCiphersuitesList()).containsExactly("TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");
    assertThat(s.getTlsCurvesList()).containsExactly("X25519", "P-256", "P-384");
  }

  @Test
  void weakSuitesAndUnknownCurvesAreReportedAndTheServiceKeepsTheDefaults() throws Exception {
    Result r = convert("[s]\naccept = 1\nconnect = h:2\nciphers = ECDHE-RSA-AES128-SHA:AES128-GCM-SHA256\n"
        + "curves = brainpoolP512r1\nciphersuites = TLS_AES_128_CCM_SHA256\n");
    assertThat(lines(r.problems())).satisfiesExactly(
        p -> assertThat(p).startsWith("s.conf:4: ciphers: ECDHE-RSA-AES128-SHA is a weak suite: its cipher is not"
            + " AEAD (CBC or a stream cipher). Adit offers ECDHE suites"),
        p -> assertThat(p).startsWith("s.conf:5: curves: brainpoolP512r1 is not a key-exchange group Adit supports;"
            + " use X25519, P-256 (prime256v1), P-384 (secp384r1) or P-521 (secp521r1)"),
        p -> assertThat(p).startsWith("s.conf:6: ciphersuites: TLS_AES_128_CCM_SHA256 is not a suite Adit's TLS"
            + " engines offer."));
    assertThat(r.problems()).noneMatch(Problem::dropsSection);
    ServiceSpec s = spec(r, "s");
    assertThat(s.getTlsCiphersList()).isEmpty();
    assertThat(s.getTlsCurvesList()).isEmpty();
    assertThat(s.getTlsCiphersuitesList()).isEmpty();
  }

  @Test
  void aServersRevocationListsAreAditsRevocation() throws Exception {
    Result r = convert("[s]\naccept = 1\nconnect = h:2\nverify = 2\nCRLfile = crl.pem\nCRLpath = /etc/crl\n");
    assertThat(r.convertsWhole()).isTrue();
    assertThat(r.notes()).extracting(Remark::text).containsExactly(
        "CRLfile: not read: Adit's revocation applies (aditctl identity revoke, aditctl cert revoke)",
        "CRLpath: not read: Adit's revocation applies (aditctl identity revoke, aditctl cert revoke)");
  }

  @Test
  void everyNodeWhenAskedFor() throws Exception {
    Result r = StunnelImport.convert(StunnelConf.read(Files.writeString(dir.resolve("s.conf"),
        "[s]\naccept = 1\nconnect = h:2\n")), new Placement(List.of(), true));
    assertThat(spec(r, "s").getAllNodes()).isTrue();
    assertThat(spec(r, "s").getNodesList()).isEmpty();
  }
}
