package io.adit.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adit.common.validation.HostPort;
import io.adit.controller.Controller;
import io.adit.controller.ControllerConfig;
import io.adit.testing.EtcdExtension;
import io.adit.testing.OpenSsl;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code aditctl.jar}, run as a user runs it, against a real controller and etcd:
 * what it prints, where, and with which exit code.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AditCtlJarIT {
  @RegisterExtension
  static final EtcdExtension etcd = new EtcdExtension();

  @TempDir
  static Path dir;

  static Controller controller;
  static Path config;

  @BeforeAll
  static void start() throws Exception {
    controller = Controller.start(ControllerConfig.of(etcd.endpoints(), new HostPort("127.0.0.1", 0), dir.resolve("ctl")));
    config = controller.adminConfig();
  }

  @AfterAll
  static void stop() {
    if (controller != null) {
      controller.close();
    }
  }

  /** {@code outBytes} is stdout exactly as written, for binary output. */
  record Run(int code, String out, String err, byte[] outBytes) {}

  static Run aditctl(String... args) throws IOException, InterruptedException {
    Path jar = Path.of("target", "aditctl.jar");
    assertThat(jar).as("the aditctl jar is built in the package phase").exists();
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-jar", jar.toString()));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().remove("ADIT_CONFIG");
    pb.environment().put("HOME", dir.resolve("home").toString());
    Process p = pb.start();
    p.getOutputStream().close();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError("aditctl " + String.join(" ", args) + " did not finish within 60 s");
    }
    byte[] stdout = Files.readAllBytes(out);
    return new Run(p.exitValue(), new String(stdout, StandardCharsets.UTF_8), Files.readString(err), stdout);
  }

  static Run ok(String... args) throws Exception {
    Run r = aditctl(args);
    assertThat(r.code()).as("aditctl %s\nstdout: %s\nstderr: %s", String.join(" ", args), r.out(), r.err()).isZero();
    return r;
  }

  static void assertOneSentenceError(Run r, int code, String part) {
    assertThat(r.code()).as(r.err()).isEqualTo(code);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains(part).doesNotContain("Exception").doesNotContain("\tat ");
    // One sentence; a usage error may add the hint where help is.
    List<String> lines = r.err().strip().lines().toList();
    assertThat(lines.get(0)).contains(part);
    assertThat(lines.subList(1, lines.size())).allMatch(l -> l.startsWith("Run 'aditctl ") && l.contains("--help"));
  }

  @Test
  @Order(1)
  void declaresListsUpdatesAndDeletesServices() throws Exception {
    String cfg = config.toString();
    Run created = ok("--config", cfg, "service", "create", "service1", "--accept", "6000", "--connect", "127.0.0.1:7000",
        "--node", "node1", "--verify", "none");
    assertThat(created.err()).contains("warning:").contains("--verify none").contains("node1 has not joined");
    ok("service", "create", "service2", "--accept", "5000", "--connect", "127.0.0.1:7000", "--node", "node1",
        "--allow", "client1", "--config", cfg);

    // Global options before the noun and after the verb.
    assertThat(ok("--config", cfg, "service", "list").out()).contains("service1").contains("service2");
    assertThat(ok("service", "list", "--config", cfg).out()).contains("service1").contains("service2");

    JsonNode json = new ObjectMapper().readTree(ok("service", "get", "service1", "-o", "json", "--config", cfg).out());
    assertThat(json.at("/metadata/name").asText()).isEqualTo("service1");
    assertThat(json.at("/spec/verify").asText()).isEqualTo("none");
    assertThat(json.at("/spec/nodes/0").asText()).isEqualTo("node1");
    assertThat(ok("service", "get", "service1", "-o", "yaml", "--config", cfg).out()).contains("name: service1");

    ok("service", "update", "service1", "--verify", "require", "--config", cfg);
    JsonNode updated = new ObjectMapper().readTree(ok("service", "get", "service1", "-o", "json", "--config", cfg).out());
    assertThat(updated.at("/spec/verify").asText()).isEqualTo("require");
    assertThat(updated.at("/spec/connect/0").asText()).as("flags not given keep their value").isEqualTo("127.0.0.1:7000");

    ok("service", "delete", "service2", "--config", cfg);
    assertOneSentenceError(aditctl("service", "get", "service2", "--config", cfg), 3, "service2");
  }

  @Test
  @Order(2)
  void explainsBadInputInOneSentenceWithItsExitCode() throws Exception {
    String cfg = config.toString();
    assertOneSentenceError(aditctl("service", "create", "service1", "--accept", "6000", "--connect", "127.0.0.1:7000",
        "--node", "node1", "--config", cfg), 4, "already exists");
    assertOneSentenceError(aditctl("service", "create", "svc3", "--accept", "6000", "--connect", "127.0.0.1:7000",
        "--config", cfg), 2, "--node");
    assertOneSentenceError(aditctl("service", "create", "Bad_Name", "--accept", "6000", "--connect", "127.0.0.1:7000",
        "--node", "n1", "--config", cfg), 2, "Bad_Name");
    assertOneSentenceError(aditctl("service", "create", "svc4", "--accept", "99999", "--connect", "127.0.0.1:7000",
        "--node", "n1", "--config", cfg), 2, "99999");
    assertOneSentenceError(aditctl("service", "create", "svc5", "--accept", "6000", "--to", "nope", "--client",
        "--node", "n1", "--config", cfg), 2, "nope");
    assertOneSentenceError(aditctl("service", "create", "svc6", "--accept", "6000", "--connect", "remote:443", "--client",
        "--node", "n1", "--config", cfg), 2, "--server-name");
    assertOneSentenceError(aditctl("identity", "get", "ghost", "--config", cfg), 3, "ghost");

    Run missing = aditctl("service", "list", "--config", dir.resolve("nope.conf").toString());
    assertOneSentenceError(missing, 7, "nope.conf");
    Run noDefault = aditctl("service", "list");
    assertThat(noDefault.code()).isEqualTo(7);
    assertThat(noDefault.err()).contains(".adit/config").contains("admin.conf");

    Run verbose = aditctl("service", "get", "ghost", "--verbose", "--config", cfg);
    assertThat(verbose.code()).isEqualTo(3);
    assertThat(verbose.err()).contains("\tat ");
  }

  @Test
  @Order(3)
  void issuesAClientCertificateThatOpensslAccepts() throws Exception {
    String cfg = config.toString();
    ok("identity", "create", "client1", "--config", cfg);
    Path out = dir.resolve("creds");
    ok("identity", "issue", "client1", "--out", out.toString(), "--config", cfg);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("client1.key")))).isEqualTo("rw-------");
    assertThat(Files.readString(out.resolve("client1.key"))).startsWith("-----BEGIN PRIVATE KEY-----");

    String text = OpenSsl.ok(out, "x509", "-noout", "-text", "-in", "client1.crt");
    assertThat(text).contains("Version: 3 (0x2)").contains("Subject: CN = client1")
        .contains("URI:spiffe://adit.local/client/client1").contains("TLS Web Client Authentication")
        .contains("CA:FALSE").contains("Digital Signature").contains("X509v3 Subject Key Identifier")
        .contains("X509v3 Authority Key Identifier");
    assertThat(OpenSsl.ok(out, "verify", "-x509_strict", "-CAfile", "ca.crt", "client1.crt")).contains("client1.crt: OK");

    // A second issue does not silently replace the key, until --force says so.
    Run again = aditctl("identity", "issue", "client1", "--out", out.toString(), "--config", cfg);
    assertOneSentenceError(again, 4, "--force");
    ok("identity", "issue", "client1", "--out", out.toString(), "--force", "--ttl", "1h", "--config", cfg);

    String ca = ok("ca", "get", "--config", cfg).out();
    assertThat(ca).startsWith("-----BEGIN CERTIFICATE-----").isEqualTo(Files.readString(out.resolve("ca.crt")));
  }

  @Test
  @Order(4)
  void printsAJoinTokenAloneOnStdout() throws Exception {
    Run r = ok("node", "token", "create", "--ttl", "5m", "--config", config.toString());
    assertThat(r.out().strip()).matches("[A-Za-z0-9._-]+");
    assertThat(r.out().strip().lines()).hasSize(1);
    assertThat(r.err()).contains("expires");
    assertThat(ok("node", "list", "--config", config.toString()).code()).isZero();
  }

  @Test
  @Order(5)
  void printsTheCrlAsPemOrDerThatOpensslReads() throws Exception {
    String cfg = config.toString();
    Files.writeString(dir.resolve("ca.crt"), ok("ca", "get", "--config", cfg).out());
    Run pem = ok("ca", "crl", "--config", cfg);
    assertThat(pem.out()).startsWith("-----BEGIN X509 CRL-----\n").endsWith("-----END X509 CRL-----\n");
    assertThat(pem.err()).isEmpty();
    Files.writeString(dir.resolve("crl.pem"), pem.out());
    assertThat(OpenSsl.ok(dir, "crl", "-in", "crl.pem", "-noout", "-CAfile", "ca.crt")).contains("verify OK");

    // Raw DER on stdout, byte for byte what openssl makes of the PEM.
    Run der = ok("ca", "crl", "--der", "--config", cfg);
    OpenSsl.ok(dir, "crl", "-in", "crl.pem", "-outform", "DER", "-out", "crl-from-pem.der");
    assertThat(der.outBytes()).isEqualTo(Files.readAllBytes(dir.resolve("crl-from-pem.der")));

    Path file = dir.resolve("published").resolve("crl.der");
    Run written = ok("ca", "crl", "--der", "--out", file.toString(), "--config", cfg);
    assertThat(written.outBytes()).isEmpty();
    assertThat(written.err()).startsWith("wrote CRL number ");
    assertThat(Files.readAllBytes(file)).isEqualTo(der.outBytes());
  }

  @Test
  @Order(Integer.MAX_VALUE - 1)
  void rotatesTheCaSaysWhatHappensNextAndListsWhatEachCaWaitsFor() throws Exception {
    String cfg = config.toString();
    Run rotated = ok("ca", "rotate", "--config", cfg);
    assertThat(rotated.out()).startsWith("prepared CA ").contains("(CN=Adit CA 2,O=adit.local)")
        .contains("updated the CA bundle in " + cfg).contains("aditctl ca get > ca.crt");
    String id = rotated.out().substring("prepared CA ".length()).split(" ")[0];
    // Its own config now trusts both CAs, so it keeps reaching the controller after the switch.
    assertThat(io.adit.common.pki.Pem.certificates(io.adit.common.config.ClientConfig.read(config).caPem())).hasSize(2);
    assertThat(io.adit.common.pki.Pem.certificates(ok("ca", "get", "--config", cfg).out())).hasSize(2);

    Run again = aditctl("ca", "rotate", "--config", cfg);
    assertOneSentenceError(again, 4, "a CA rotation is already under way: CA " + id + " is prepared");

    // No agent has joined: nothing holds the new CA back beyond its few seconds as prepared.
    Run list = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
        .until(() -> ok("ca", "list", "--config", cfg), r -> r.out().contains("retiring"));
    assertThat(list.out()).startsWith("ID").contains("WAITING FOR")
        .containsPattern(id + " +active +CN=Adit CA 2,O=adit.local")
        .containsPattern("retiring +CN=Adit CA,O=adit.local .* retires after .*admin/admin serial [0-9a-f]+ expires last");
    JsonNode json = new ObjectMapper().readTree(ok("ca", "list", "-o", "json", "--config", cfg).out());
    assertThat(json.get(0).get("id").asText()).isEqualTo(id);
    assertThat(json.get(1).get("state").asText()).isEqualTo("retiring");
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void saysEtcdIsDownWithinSecondsInsteadOfHanging() throws Exception {
    etcd.stop();
    try {
      long start = System.nanoTime();
      Run r = aditctl("service", "list", "--config", config.toString());
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
      assertOneSentenceError(r, 6, etcd.endpoints().get(0));
    } finally {
      etcd.restart();
    }
  }
}
