package io.adit.controller.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adit.common.pki.Keys;
import io.adit.common.pki.Pem;
import io.adit.common.pki.SpiffeId;
import io.adit.controller.ca.CertificateSigner.LeafRequest;
import io.adit.testing.OpenSsl;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CrlSignerTest {
  private static final Instant NOW = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
  private static final Instant NEXT = NOW.plus(Duration.ofHours(1));

  private static CaMaterial ca;

  @TempDir
  Path dir;

  @BeforeAll
  static void createCa() {
    ca = Authorities.createRoot("adit.local", Clock.systemUTC());
  }

  /** Parsed back by the JDK, as any Java verifier would. */
  private static X509CRL parse(X509CRL crl) throws Exception {
    return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(crl.getEncoded()));
  }

  @Test
  void signsAV2CrlThatNamesTheCaAndVerifiesWithItsKey() throws Exception {
    Instant revokedAt = NOW.minus(Duration.ofMinutes(5));
    X509CRL crl = parse(CrlSigner.sign(ca, List.of(new CrlSigner.Revoked(BigInteger.valueOf(0xbeef), revokedAt),
        new CrlSigner.Revoked(BigInteger.valueOf(0x12), revokedAt.plusSeconds(1))), 7, NOW, NEXT));

    crl.verify(ca.certificate().getPublicKey());
    assertThat(crl.getVersion()).isEqualTo(2);
    assertThat(crl.getIssuerX500Principal()).isEqualTo(ca.certificate().getSubjectX500Principal());
    assertThat(crl.getSigAlgName()).isEqualTo("SHA256withECDSA");
    assertThat(crl.getThisUpdate().toInstant()).isEqualTo(NOW);
    assertThat(crl.getNextUpdate().toInstant()).isEqualTo(NEXT);

    // Sorted by serial; each with its revocation date and no reason code (RFC 5280: leave it
    // out rather than say "unspecified").
    assertThat(crl.getRevokedCertificates()).extracting(X509CRLEntry::getSerialNumber)
        .containsExactly(BigInteger.valueOf(0x12), BigInteger.valueOf(0xbeef));
    X509CRLEntry entry = crl.getRevokedCertificate(BigInteger.valueOf(0xbeef));
    assertThat(entry.getRevocationDate().toInstant()).isEqualTo(revokedAt);
    assertThat(entry.getRevocationReason()).isNull();
    assertThat(entry.hasExtensions()).isFalse();

    assertThat(crl.getCriticalExtensionOIDs()).isEmpty();
    assertThat(crl.getNonCriticalExtensionOIDs()).containsExactlyInAnyOrder(
        Extension.cRLNumber.getId(), Extension.authorityKeyIdentifier.getId());
    assertThat(ASN1Integer.getInstance(octets(crl, Extension.cRLNumber)).getValue()).isEqualTo(BigInteger.valueOf(7));
    byte[] caSki = SubjectKeyIdentifier.fromExtensions(new JcaX509CertificateHolder(ca.certificate()).getExtensions())
        .getKeyIdentifier();
    assertThat(AuthorityKeyIdentifier.getInstance(octets(crl, Extension.authorityKeyIdentifier)).getKeyIdentifierObject()
        .getOctets()).isEqualTo(caSki);
  }

  private static byte[] octets(X509CRL crl, org.bouncycastle.asn1.ASN1ObjectIdentifier oid) {
    return ASN1OctetString.getInstance(crl.getExtensionValue(oid.getId())).getOctets();
  }

  @Test
  void anEmptyCrlListsNothingAndStillCarriesItsNumber() throws Exception {
    X509CRL crl = parse(CrlSigner.sign(ca, List.of(), 1, NOW, NEXT));
    crl.verify(ca.certificate().getPublicKey());
    assertThat(crl.getRevokedCertificates()).isNull();
    assertThat(ASN1Integer.getInstance(octets(crl, Extension.cRLNumber)).getValue()).isEqualTo(BigInteger.ONE);
  }

  @Test
  void refusesANextUpdateThatIsNotAfterThisUpdate() {
    assertThatThrownBy(() -> CrlSigner.sign(ca, List.of(), 1, NOW, NOW))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not after thisUpdate");
  }

  @Test
  void opensslVerifyWithCrlCheckRefusesTheRevokedLeafAndAcceptsTheOther() throws Exception {
    CertificateSigner signer = new CertificateSigner(ca, Clock.systemUTC());
    X509Certificate revoked = signer.sign(Keys.csr(Keys.generateP256(), "x"),
        LeafRequest.of(new SpiffeId("adit.local", SpiffeId.Kind.CLIENT, "gone"), Duration.ofHours(1)));
    X509Certificate kept = signer.sign(Keys.csr(Keys.generateP256(), "x"),
        LeafRequest.of(new SpiffeId("adit.local", SpiffeId.Kind.CLIENT, "kept"), Duration.ofHours(1)));
    X509CRL crl = CrlSigner.sign(ca, List.of(new CrlSigner.Revoked(revoked.getSerialNumber(), NOW.minusSeconds(10))),
        3, NOW.minusSeconds(10), NEXT);
    Files.writeString(dir.resolve("ca.crt"), Pem.encode(ca.certificate()));
    Files.writeString(dir.resolve("revoked.crt"), Pem.encode(revoked));
    Files.writeString(dir.resolve("kept.crt"), Pem.encode(kept));
    Files.writeString(dir.resolve("crl.pem"), "-----BEGIN X509 CRL-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(crl.getEncoded()) + "\n-----END X509 CRL-----\n");

    OpenSsl.Result refused = OpenSsl.run(dir, "verify", "-x509_strict", "-crl_check", "-CAfile", "ca.crt",
        "-CRLfile", "crl.pem", "revoked.crt");
    assertThat(refused.exitCode()).as(refused.output()).isNotZero();
    assertThat(refused.output()).contains("certificate revoked");
    assertThat(OpenSsl.ok(dir, "verify", "-x509_strict", "-crl_check", "-CAfile", "ca.crt", "-CRLfile", "crl.pem",
        "kept.crt")).contains("kept.crt: OK");
    assertThat(OpenSsl.ok(dir, "crl", "-in", "crl.pem", "-noout", "-text"))
        .contains("X509v3 CRL Number", "3", "X509v3 Authority Key Identifier",
            Keys.serialHex(revoked).toUpperCase(java.util.Locale.ROOT));
  }
}
