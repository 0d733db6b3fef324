package io.adit.common.pki;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A tiny self-signed certificate builder for tests: subject, serial and subject alternative names. */
final class SelfSigned {
  private final KeyPair keys;
  private String subject = "CN=test";
  private BigInteger serial = BigInteger.ONE;
  private final List<GeneralName> sans = new ArrayList<>();

  private SelfSigned(KeyPair keys) {
    this.keys = keys;
  }

  static SelfSigned with(KeyPair keys) {
    return new SelfSigned(keys);
  }

  SelfSigned subject(String dn) {
    this.subject = dn;
    return this;
  }

  SelfSigned serial(long serial) {
    this.serial = BigInteger.valueOf(serial);
    return this;
  }

  SelfSigned uri(String uri) {
    sans.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
    return this;
  }

  SelfSigned dns(String name) {
    sans.add(new GeneralName(GeneralName.dNSName, name));
    return this;
  }

  X509Certificate build() {
    try {
      Instant now = Instant.now();
      X500Name name = new X500Name(subject);
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial,
          Date.from(now.minus(Duration.ofMinutes(1))), Date.from(now.plus(Duration.ofDays(1))), name, keys.getPublic());
      if (!sans.isEmpty()) {
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
      }
      var signer = new JcaContentSignerBuilder(Keys.signatureAlgorithm(keys.getPublic())).build(keys.getPrivate());
      return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    } catch (Exception e) {
      throw new IllegalStateException("cannot build a test certificate", e);
    }
  }
}
