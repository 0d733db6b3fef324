package io.adit.controller.ca;

import io.adit.testing.OpenSsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adit.common.pki.Keys;
import io.adit.common.pki.Pem;
import io.adit.common.pki.SpiffeId;
import io.adit.controller.ca.CertificateSigner.LeafRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Imports CAs made the way people make them: with the openssl CLI. */
class CaImportTest {
  @TempDir Path dir;

  private Path file(String name) {
    return dir.resolve(name);
  }

  /** The seed PKI's way: `openssl ecparam -genkey`, then a self-signed certificate for 30 days. */
  private void seedCa(int days) {
    OpenSsl.ok(dir, "ecparam", "-genkey", "-name", "prime256v1", "-out", "ca.key");
    OpenSsl.ok(dir, "req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=seed-ca", "-days", "" + days, "-out", "ca.crt");
  }

  /** Signs a leaf with the imported CA and asks openssl whether it chains to ca.crt. */
  private OpenSsl.Result verifyLeaf(CaMaterial ca, String... flags) throws Exception {
    X509Certificate leaf = new CertificateSigner(ca, Clock.systemUTC()).sign(Keys.csr(Keys.generateP256(), "x"),
        LeafRequest.of(new SpiffeId("adit.local", SpiffeId.Kind.SERVICE, "web"), Duration.ofHours(1)));
    Files.writeString(file("leaf.crt"), Pem.encode(leaf));
    String[] args = new String[flags.length + 4];
    args[0] = "verify";
    System.arraycopy(flags, 0, args, 1, flags.length);
    args[flags.length + 1] = "-CAfile";
    args[flags.length + 2] = "ca.crt";
    args[flags.length + 3] = "leaf.crt";
    return OpenSsl.run(dir, args);
  }

  @Test
  void importsTheSeedPkiCaWithItsEcParametersBlock() throws Exception {
    seedCa(30);
    assertThat(Files.readString(file("ca.key"))).contains("BEGIN EC PARAMETERS").contains("BEGIN EC PRIVATE KEY");

    CaImport.Imported imported = CaImport.load(file("ca.crt"), file("ca.key"));

    assertThat(imported.material().certificate().getSubjectX500Principal().getName()).isEqualTo("CN=seed-ca");
    assertThat(imported.warnings()).anyMatch(w -> w.contains("no keyUsage extension"));
    assertThat(imported.warnings()).anyMatch(w -> w.contains("expires in 29 days"));
    OpenSsl.Result verified = verifyLeaf(imported.material());
    assertThat(verified.exitCode()).as(verified.output()).isZero();
    assertThat(verified.output()).contains("leaf.crt: OK");
  }

  @Test
  void importsTheSameKeyAsPkcs8AndAsPlainSec1() throws Exception {
    seedCa(365);
    OpenSsl.ok(dir, "pkcs8", "-topk8", "-nocrypt", "-in", "ca.key", "-out", "pkcs8.key");
    OpenSsl.ok(dir, "ec", "-in", "ca.key", "-out", "sec1.key");
    assertThat(Files.readString(file("pkcs8.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(Files.readString(file("sec1.key"))).startsWith("-----BEGIN EC PRIVATE KEY-----")
        .doesNotContain("EC PARAMETERS");

    ECPrivateKey original = (ECPrivateKey) CaImport.load(file("ca.crt"), file("ca.key")).material().privateKey();
    ECPrivateKey pkcs8 = (ECPrivateKey) CaImport.load(file("ca.crt"), file("pkcs8.key")).material().privateKey();
    ECPrivateKey sec1 = (ECPrivateKey) CaImport.load(file("ca.crt"), file("sec1.key")).material().privateKey();

    assertThat(pkcs8.getS()).isEqualTo(original.getS());
    assertThat(sec1.getS()).isEqualTo(original.getS());
  }

  @Test
  void importsAnRsaCaWithAPkcs1Key() throws Exception {
    OpenSsl.ok(dir, "genrsa", "-traditional", "-out", "ca.key", "2048");
    OpenSsl.ok(dir, "req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=rsa-ca", "-days", "365", "-out", "ca.crt");
    assertThat(Files.readString(file("ca.key"))).startsWith("-----BEGIN RSA PRIVATE KEY-----");

    CaImport.Imported imported = CaImport.load(file("ca.crt"), file("ca.key"));

    assertThat(imported.material().privateKey().getAlgorithm()).isEqualTo("RSA");
    assertThat(imported.warnings()).noneMatch(w -> w.contains("expires"));
    X509Certificate leaf = new CertificateSigner(imported.material(), Clock.systemUTC()).sign(
        Keys.csr(Keys.generateP256(), "x"), LeafRequest.of(new SpiffeId("adit.local", SpiffeId.Kind.NODE, "n1"), Duration.ofHours(1)));
    assertThat(leaf.getSigAlgName()).isEqualTo("SHA256withRSA");
    OpenSsl.Result verified = verifyLeaf(imported.material());
    assertThat(verified.exitCode()).as(verified.output()).isZero();
  }

  @Test
  void importsAVersion1CaWithAWarningForEachMissingExtension() throws Exception {
    OpenSsl.ok(dir, "ecparam", "-genkey", "-name", "prime256v1", "-out", "ca.key");
    OpenSsl.ok(dir, "req", "-new", "-key", "ca.key", "-subj", "/CN=v1-ca", "-out", "ca.csr");
    OpenSsl.ok(dir, "x509", "-req", "-in", "ca.csr", "-signkey", "ca.key", "-days", "365", "-out", "ca.crt");

    CaImport.Imported imported = CaImport.load(file("ca.crt"), file("ca.key"));

    assertThat(imported.material().certificate().getVersion()).isEqualTo(1);
    assertThat(imported.warnings()).containsExactlyInAnyOrder(
        "the CA certificate has no basicConstraints extension; `openssl verify -x509_strict` will reject the certificates it signs",
        "the CA certificate has no keyUsage extension; `openssl verify -x509_strict` will reject the certificates it signs",
        "the CA certificate has no subjectKeyIdentifier extension; `openssl verify -x509_strict` will reject the certificates it signs");
    // The warnings tell the truth: accepted normally, rejected when strict.
    assertThat(verifyLeaf(imported.material()).exitCode()).isZero();
    assertThat(verifyLeaf(imported.material(), "-x509_strict").exitCode()).isNotZero();
  }

  @Test
  void warnsThatOpenSslRejectsAVersion3CaWithoutBasicConstraintsOrKeyUsage() throws Exception {
    OpenSsl.ok(dir, "ecparam", "-genkey", "-name", "prime256v1", "-out", "ca.key");
    OpenSsl.ok(dir, "req", "-new", "-key", "ca.key", "-subj", "/CN=v3-ca", "-out", "ca.csr");
    Files.writeString(file("ext"), "subjectKeyIdentifier=hash\n");
    OpenSsl.ok(dir, "x509", "-req", "-in", "ca.csr", "-signkey", "ca.key", "-days", "365", "-extfile", "ext", "-out", "ca.crt");

    CaImport.Imported imported = CaImport.load(file("ca.crt"), file("ca.key"));

    assertThat(imported.warnings()).anyMatch(w -> w.contains("no basicConstraints")
        && w.contains("OpenSSL (and so stunnel) will reject every certificate it signs"));
    assertThat(verifyLeaf(imported.material()).output()).contains("invalid CA certificate");
  }

  @Test
  void refusesAKeyThatIsNotTheCertificates() {
    seedCa(30);
    OpenSsl.ok(dir, "ecparam", "-genkey", "-name", "prime256v1", "-out", "other.key");

    assertThatThrownBy(() -> CaImport.load(file("ca.crt"), file("other.key")))
        .isInstanceOf(CaImportException.class)
        .hasMessage("the private key in " + file("other.key") + " does not belong to the certificate in " + file("ca.crt"));
  }

  @Test
  void refusesACertificateThatSaysItIsNoCa() throws Exception {
    OpenSsl.ok(dir, "ecparam", "-genkey", "-name", "prime256v1", "-out", "ca.key");
    OpenSsl.ok(dir, "req", "-new", "-key", "ca.key", "-subj", "/CN=leaf", "-out", "ca.csr");
    Files.writeString(file("ext"), "basicConstraints=critical,CA:FALSE\n");
    OpenSsl.ok(dir, "x509", "-req", "-in", "ca.csr", "-signkey", "ca.key", "-days", "30", "-extfile", "ext", "-out", "ca.crt");

    assertThatThrownBy(() -> CaImport.load(file("ca.crt"), file("ca.key")))
        .isInstanceOf(CaImportException.class)
        .hasMessageContaining(file("ca.crt").toString())
        .hasMessageContaining("CA:false");
  }

  @Test
  void refusesACertificateWhoseKeyUsageForbidsSigningCertificates() throws Exception {
    OpenSsl.ok(dir, "ecparam", "-genkey", "-name", "prime256v1", "-out", "ca.key");
    OpenSsl.ok(dir, "req", "-new", "-key", "ca.key", "-subj", "/CN=ca", "-out", "ca.csr");
    Files.writeString(file("ext"), "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature\n");
    OpenSsl.ok(dir, "x509", "-req", "-in", "ca.csr", "-signkey", "ca.key", "-days", "30", "-extfile", "ext", "-out", "ca.crt");

    assertThatThrownBy(() -> CaImport.load(file("ca.crt"), file("ca.key")))
        .isInstanceOf(CaImportException.class)
        .hasMessageContaining(file("ca.crt").toString())
        .hasMessageContaining("keyCertSign");
  }

  @Test
  void refusesAnExpiredCa() {
    seedCa(30);
    Clock later = Clock.offset(Clock.systemUTC(), Duration.ofDays(31));

    assertThatThrownBy(() -> CaImport.load(file("ca.crt"), file("ca.key"), later))
        .isInstanceOf(CaImportException.class)
        .hasMessageContaining(file("ca.crt").toString())
        .hasMessageContaining("expired");
  }

  @Test
  void refusesACaThatIsNotValidYet() {
    seedCa(30);
    Clock earlier = Clock.offset(Clock.systemUTC(), Duration.ofDays(-1));

    assertThatThrownBy(() -> CaImport.load(file("ca.crt"), file("ca.key"), earlier))
        .isInstanceOf(CaImportException.class)
        .hasMessageContaining(file("ca.crt").toString())
        .hasMessageContaining("not valid until");
  }

  @Test
  void refusesMissingFilesNamingThem() {
    seedCa(30);

    assertThatThrownBy(() -> CaImport.load(file("nope.crt"), file("ca.key")))
        .isInstanceOf(CaImportException.class)
        .hasMessage("the CA certificate file " + file("nope.crt") + " does not exist");
    assertThatThrownBy(() -> CaImport.load(file("ca.crt"), file("nope.key")))
        .isInstanceOf(CaImportException.class)
        .hasMessage("the CA key file " + file("nope.key") + " does not exist");
  }

  @Test
  void refusesFilesWithoutACertificateOrAKey() {
    seedCa(30);

    assertThatThrownBy(() -> CaImport.load(file("ca.key"), file("ca.key")))
        .isInstanceOf(CaImportException.class)
        .hasMessageContaining(file("ca.key").toString())
        .hasMessageContaining("no PEM certificate");
    assertThatThrownBy(() -> CaImport.load(file("ca.crt"), file("ca.crt")))
        .isInstanceOf(CaImportException.class)
        .hasMessageContaining(file("ca.crt").toString())
        .hasMessageContaining("no PEM private key");
  }

  @Test
  void refusesAnEncryptedKeySayingHowToDecryptIt() {
    seedCa(30);
    OpenSsl.ok(dir, "pkcs8", "-topk8", "-in", "ca.key", "-passout", "pass:secret", "-out", "encrypted.key");

    assertThatThrownBy(() -> CaImport.load(file("ca.crt"), file("encrypted.key")))
        .isInstanceOf(CaImportException.class)
        .hasMessageContaining(file("encrypted.key").toString())
        .hasMessageContaining("passphrase");
  }
}
