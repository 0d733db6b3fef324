package io.adit.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.api.v1.Identity;
import io.adit.api.v1.Kind;
import io.adit.api.v1.SignCertificateRequest;
import io.adit.cli.Cli;
import io.adit.cli.TestPki;
import io.adit.common.pki.Pem;
import io.adit.common.pki.SpiffeId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.Signature;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IssueCommandTest {
  @TempDir
  Path dir;
  Cli cli;
  Path out;

  @BeforeEach
  void setUp() {
    cli = new Cli(dir);
    cli.controller.identities.put("client1", Identity.newBuilder().setName("client1").build());
    out = dir.resolve("certs/client1");
  }

  @Test
  void writesKeyCertificateAndBundleThatBelongTogether() throws Exception {
    var r = cli.run("identity", "issue", "client1", "--out", out.toString(), "--ttl", "12h");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out().lines()).containsExactly(out.resolve("client1.key").toString(),
        out.resolve("client1.crt").toString(), out.resolve("ca.crt").toString());
    assertThat(r.err()).startsWith("issued a client certificate for client1: serial ").contains("expires ");

    SignCertificateRequest req = (SignCertificateRequest) cli.controller.requests.get(cli.controller.calls.indexOf("signCertificate"));
    assertThat(req.getKind()).isEqualTo(Kind.KIND_CLIENT);
    assertThat(req.getName()).isEqualTo("client1");
    assertThat(req.getTtlSeconds()).isEqualTo(43200);
    assertThat(req.toString()).doesNotContain("PRIVATE KEY");

    String key = Files.readString(out.resolve("client1.key"));
    assertThat(key).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("client1.key")))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out))).isEqualTo("rwx------");
    X509Certificate cert = Pem.certificate(Files.readString(out.resolve("client1.crt")));
    assertThat(SpiffeId.of(cert).orElseThrow().name()).isEqualTo("client1");
    cert.verify(Pem.certificate(Files.readString(out.resolve("ca.crt"))).getPublicKey());
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initSign(Pem.privateKey(key));
    s.update(new byte[] {1});
    byte[] sig = s.sign();
    s.initVerify(cert);
    s.update(new byte[] {1});
    assertThat(s.verify(sig)).isTrue();
  }

  @Test
  void refusesToReplaceAnExistingKeyWithoutForceAndAsksForNoCertificate() throws Exception {
    Files.createDirectories(out);
    Files.writeString(out.resolve("client1.key"), "old");
    var r = cli.run("identity", "issue", "client1", "--out", out.toString());
    assertThat(r.exitCode()).isEqualTo(4);
    assertThat(r.err()).isEqualTo("error: " + out.resolve("client1.key")
        + " already exists: pass --force to replace it, or choose another --out\n");
    assertThat(cli.controller.calls).doesNotContain("signCertificate");
    assertThat(Files.readString(out.resolve("client1.key"))).isEqualTo("old");
  }

  @Test
  void replacesWithForce() throws Exception {
    Files.createDirectories(out);
    Files.writeString(out.resolve("client1.key"), "old");
    Files.writeString(out.resolve("client1.crt"), "old");
    Files.writeString(out.resolve("ca.crt"), Pem.encode(new TestPki("another").ca));
    var r = cli.run("identity", "issue", "client1", "--out", out.toString(), "--force");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(Files.readString(out.resolve("client1.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(Files.readString(out.resolve("ca.crt"))).isEqualTo(cli.controller.bundlePem());
  }

  @Test
  void keepsAnIdenticalCaFile() throws Exception {
    Files.createDirectories(out);
    // Same certificate, other PEM layout: still identical.
    Files.writeString(out.resolve("ca.crt"), "# cluster CA\n" + cli.controller.bundlePem().replace("\n", "\r\n"));
    var r = cli.run("identity", "issue", "client1", "--out", out.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(Files.readString(out.resolve("ca.crt"))).startsWith("# cluster CA");
  }

  @Test
  void refusesADifferentCaFileBeforeAskingForACertificate() throws Exception {
    Files.createDirectories(out);
    Files.writeString(out.resolve("ca.crt"), Pem.encode(new TestPki("another").ca));
    var r = cli.run("identity", "issue", "client1", "--out", out.toString());
    assertThat(r.exitCode()).isEqualTo(4);
    assertThat(r.err()).contains(out.resolve("ca.crt").toString()).contains("--force");
    assertThat(cli.controller.calls).doesNotContain("signCertificate");
    assertThat(Files.exists(out.resolve("client1.key"))).isFalse();
  }

  @Test
  void aRevokedIdentityGetsNoCertificate() {
    cli.controller.identities.put("client1", Identity.newBuilder().setName("client1").setRevoked(true).build());
    var r = cli.run("identity", "issue", "client1", "--out", out.toString());
    assertThat(r.exitCode()).isEqualTo(4);
    assertThat(r.err()).contains("identity client1 is revoked");
    assertThat(cli.controller.calls).doesNotContain("signCertificate");
  }

  @Test
  void anUnknownIdentityIsNotFound() {
    var r = cli.run("identity", "issue", "client2", "--out", out.toString());
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(Files.exists(out)).isFalse();
  }

  @Test
  void anOutThatIsAFileIsAUsageError() throws Exception {
    Files.writeString(dir.resolve("file"), "x");
    var r = cli.run("identity", "issue", "client1", "--out", dir.resolve("file").toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("is a file, not a directory");
  }

  @Test
  void outIsRequired() {
    var r = cli.run("identity", "issue", "client1");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("Missing required option: '--out=DIR'");
  }

  @Test
  void jsonNamesThePathsWritten() {
    var r = cli.run("identity", "issue", "client1", "--out", out.toString(), "-o", "json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("\"key\": \"" + out.resolve("client1.key") + "\"").contains("\"serial\": ")
        .contains("\"notAfter\": ");
  }
}
