package io.adit.controller.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adit.common.pki.Keys;
import io.adit.common.validation.InvalidInputException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.junit.jupiter.api.Test;

class AuthoritiesTest {
  private static final Instant NOW = Instant.parse("2030-06-01T12:00:00Z");

  @Test
  void createsASelfSignedP256RootForTenYears() throws Exception {
    CaMaterial ca = Authorities.createRoot("example.org", Clock.fixed(NOW, ZoneOffset.UTC));
    X509Certificate jdk = ca.certificate();
    X509CertificateHolder cert = new JcaX509CertificateHolder(jdk);

    jdk.verify(jdk.getPublicKey());
    assertThat(cert.getVersionNumber()).isEqualTo(3);
    assertThat(cert.getSerialNumber()).isPositive();
    assertThat(cert.getSerialNumber().bitLength()).isLessThanOrEqualTo(128);
    assertThat(cert.getSubject()).isEqualTo(new X500Name("O=example.org,CN=Adit CA")).isEqualTo(cert.getIssuer());
    assertThat(jdk.getSigAlgName()).isEqualTo("SHA256withECDSA");
    assertThat(((ECPublicKey) jdk.getPublicKey()).getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
    assertThat(cert.getNotBefore().toInstant()).isEqualTo(NOW.minus(Duration.ofMinutes(5)));
    assertThat(cert.getNotAfter().toInstant()).isEqualTo(Instant.parse("2040-06-01T12:00:00Z"));

    Extension bc = cert.getExtension(Extension.basicConstraints);
    assertThat(bc.isCritical()).isTrue();
    assertThat(BasicConstraints.getInstance(bc.getParsedValue()).isCA()).isTrue();
    Extension ku = cert.getExtension(Extension.keyUsage);
    assertThat(ku.isCritical()).isTrue();
    assertThat(KeyUsage.getInstance(ku.getParsedValue())).isEqualTo(
        new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
    byte[] ski = SubjectKeyIdentifier.fromExtensions(cert.getExtensions()).getKeyIdentifier();
    assertThat(ski).hasSize(20);
    assertThat(AuthorityKeyIdentifier.fromExtensions(cert.getExtensions()).getKeyIdentifierObject().getOctets()).isEqualTo(ski);
    assertThat(GeneralNames.fromExtensions(cert.getExtensions(), Extension.subjectAlternativeName).getNames())
        .containsExactly(new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://example.org"));
  }

  @Test
  void givesEachRootItsOwnKeyAndSerial() {
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    CaMaterial a = Authorities.createRoot("adit.local", clock);
    CaMaterial b = Authorities.createRoot("adit.local", clock);
    assertThat(a.certificate().getSerialNumber()).isNotEqualTo(b.certificate().getSerialNumber());
    assertThat(Keys.spkiHash(a.certificate())).isNotEqualTo(Keys.spkiHash(b.certificate()));
  }

  @Test
  void refusesATrustDomainThatCannotBeAUri() {
    assertThatThrownBy(() -> Authorities.createRoot("Adit Cluster/1", Clock.systemUTC()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("trust domain 'Adit Cluster/1'");
  }

  @Test
  void materialRefusesAKeyThatIsNotTheCertificates() {
    CaMaterial ca = Authorities.createRoot("adit.local", Clock.systemUTC());
    assertThatThrownBy(() -> new CaMaterial(ca.certificate(), Keys.generateP256().getPrivate()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not belong to the CA certificate");
  }

  @Test
  void materialNeverPrintsItsKey() {
    CaMaterial ca = Authorities.createRoot("adit.local", Clock.systemUTC());
    assertThat(ca.toString()).contains("Adit CA").doesNotContain(ca.privateKey().toString());
  }
}
