package io.adit.cli;

import io.adit.common.pki.Keys;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throw-away CA for tests: makes controller, admin and odd certificates on demand. */
public final class TestPki {
  public final KeyPair caKeys = Keys.generateP256();
  public final X509Certificate ca;
  private long serial = 1;

  public TestPki(String name) {
    ca = sign(caKeys.getPublic(), "CN=" + name, Instant.now().minusSeconds(60), Duration.ofDays(60), true, List.of(), null);
  }

  /** A leaf certificate; {@code usage} is serverAuth, clientAuth or both; {@code dnsOrIp} its SANs. */
  public X509Certificate leaf(PublicKey key, String cn, Instant notBefore, Duration life, List<KeyPurposeId> usage,
      String spiffe, String... dnsOrIp) {
    List<GeneralName> sans = new ArrayList<>();
    for (String s : dnsOrIp) {
      sans.add(new GeneralName(Character.isDigit(s.charAt(0)) ? GeneralName.iPAddress : GeneralName.dNSName, s));
    }
    if (spiffe != null) {
      sans.add(new GeneralName(GeneralName.uniformResourceIdentifier, spiffe));
    }
    return sign(key, "CN=" + cn, notBefore, life, false, usage, sans);
  }

  public X509Certificate admin(KeyPair keys) {
    return leaf(keys.getPublic(), "admin", Instant.now().minusSeconds(60), Duration.ofDays(30),
        List.of(KeyPurposeId.id_kp_clientAuth), "spiffe://adit.local/admin/admin");
  }

  public X509Certificate controller(KeyPair keys) {
    return leaf(keys.getPublic(), "controller", Instant.now().minusSeconds(60), Duration.ofHours(1),
        List.of(KeyPurposeId.id_kp_serverAuth), "spiffe://adit.local/controller/c1", "localhost", "127.0.0.1");
  }

  /** A DER CRL from this CA listing {@code serials}, revoked at {@code thisUpdate}. */
  public byte[] crl(List<BigInteger> serials, Instant thisUpdate, Instant nextUpdate, long number) {
    try {
      var b = new X509v2CRLBuilder(new X500Name(ca.getSubjectX500Principal().getName()), Date.from(thisUpdate));
      b.setNextUpdate(Date.from(nextUpdate));
      serials.forEach(s -> b.addCRLEntry(s, Date.from(thisUpdate), null));
      b.addExtension(Extension.cRLNumber, false, new CRLNumber(BigInteger.valueOf(number)));
      return b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())).getEncoded();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private X509Certificate sign(PublicKey key, String subject, Instant notBefore, Duration life, boolean isCa,
      List<KeyPurposeId> usage, List<GeneralName> sans) {
    try {
      var b = new JcaX509v3CertificateBuilder(isCa ? new X500Name(subject) : new X500Name(ca.getSubjectX500Principal().getName()),
          BigInteger.valueOf(serial++), Date.from(notBefore), Date.from(notBefore.plus(life)), new X500Name(subject), key);
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(isCa
          ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
      if (!usage.isEmpty()) {
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(usage.toArray(KeyPurposeId[]::new)));
      }
      if (sans != null && !sans.isEmpty()) {
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
      }
      var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate());
      return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
