package io.adit.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.api.v1.Identity;
import io.adit.cli.Cli;
import io.adit.cli.TestPki;
import io.adit.common.pki.Keys;
import io.adit.common.pki.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertInspectTest {
  @TempDir
  Path dir;
  Cli cli;

  @BeforeEach
  void setUp() {
    cli = new Cli(dir);
    cli.controller.identities.put("client1", Identity.newBuilder().setName("client1").build());
  }

  private Path write(X509Certificate cert) throws Exception {
    return Files.writeString(dir.resolve("c.crt"), Pem.encode(cert));
  }

  private X509Certificate client(TestPki pki, String name, Duration life) {
    return pki.leaf(Keys.generateP256().getPublic(), name, Cli.NOW.minusSeconds(3600), life,
        List.of(KeyPurposeId.id_kp_clientAuth), "spiffe://adit.local/client/" + name);
  }

  @Test
  void explainsEveryFieldAndAcceptsAGoodClientCertificate() throws Exception {
    X509Certificate cert = client(cli.controller.pki, "client1", Duration.ofHours(24));
    var r = cli.run("cert", "inspect", write(cert).toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("Version:        3")
        .contains("Serial:         " + Keys.serialHex(cert))
        .contains("Signature:      SHA256withECDSA")
        .contains("Issuer:         CN=fake-ca")
        .contains("(expires in 23h)")
        .contains("Subject:        CN=client1")
        .contains("Alt names:      URI:spiffe://adit.local/client/client1")
        .contains("Ext key usage:  clientAuth")
        .contains("Public key:     EC P-256")
        .containsPattern("SHA-256: +([0-9A-F]{2}:){31}[0-9A-F]{2}")
        .contains("ok    issuer: signed by the cluster CA CN=fake-ca")
        .contains("ok    identity: client identity client1")
        .endsWith("Verdict: accepted\n");
  }

  @Test
  void saysExactlyWhyARevokedExpiredOrForeignCertificateWouldBeRefused() throws Exception {
    X509Certificate revoked = client(cli.controller.pki, "client1", Duration.ofHours(24));
    cli.controller.revokeCertificate(Keys.serialHex(revoked), "laptop lost");
    var r = cli.run("cert", "inspect", write(revoked).toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).contains("FAIL  revocation: serial " + Keys.serialHex(revoked) + " was revoked at");
    assertThat(r.err()).startsWith("error: the cluster would refuse this certificate: serial " + Keys.serialHex(revoked)
        + " was revoked at").contains("(laptop lost)");

    X509Certificate expired = client(cli.controller.pki, "client1", Duration.ofMinutes(30));
    assertThat(cli.run("cert", "inspect", write(expired).toString()).err()).contains("expired at");

    X509Certificate foreign = client(new TestPki("other-ca"), "client1", Duration.ofHours(24));
    assertThat(cli.run("cert", "inspect", write(foreign).toString()).err())
        .contains("not signed by any CA in the cluster's trust bundle (its issuer is CN=other-ca)");

    X509Certificate unknown = client(cli.controller.pki, "ghost", Duration.ofHours(24));
    assertThat(cli.run("cert", "inspect", write(unknown).toString()).err()).contains("identity ghost does not exist");
  }

  @Test
  void offlinePrintsTheFieldsWithoutAControllerAndABadFileIsAUsageError() throws Exception {
    var r = cli.run("cert", "inspect", "--offline", write(client(cli.controller.pki, "x", Duration.ofHours(1))).toString());
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("Verdict: not checked");
    assertThat(cli.controller.calls).isEmpty();

    Path junk = Files.writeString(dir.resolve("junk.crt"), "hello");
    var bad = cli.run("cert", "inspect", "--offline", junk.toString());
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("holds no certificate");
  }
}
