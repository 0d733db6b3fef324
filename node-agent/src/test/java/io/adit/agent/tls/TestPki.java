package io.adit.agent.tls;

import io.adit.common.pki.Keys;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A test CA issuing certificates shaped like Adit's: P-256 keys, a SPIFFE URI SAN, the service
 * name as DNS SAN for servers, EKU by role.
 */
public final class TestPki {
  public static final String TRUST_DOMAIN = "adit.local";
  private static final SecureRandom RANDOM = new SecureRandom();

  private TestPki() {}

  /** A certificate with its key, and the CA that issued it. */
  public record Leaf(PrivateKey key, X509Certificate cert, X509Certificate ca) {
    public List<X509Certificate> chain() {
      return List.of(cert);
    }
  }

  /** A self-signed CA that can issue leaves. */
  public record Ca(KeyPair keys, X509Certificate cert) {
    public List<X509Certificate> trust() {
      return List.of(cert);
    }

    /** A server certificate for {@code service}: DNS SAN {@code service}, spiffe://…/service/NAME. */
    public Leaf server(String service) {
      return issue(service, List.of(dns(service), uri("service", service)), KeyPurposeId.id_kp_serverAuth,
          Instant.now().minus(Duration.ofMinutes(5)), Instant.now().plus(Duration.ofHours(1)));
    }

    /** A client certificate for identity {@code name}: spiffe://…/client/NAME. */
    public Leaf client(String name) {
      return issue(name, List.of(uri("client", name)), KeyPurposeId.id_kp_clientAuth,
          Instant.now().minus(Duration.ofMinutes(5)), Instant.now().plus(Duration.ofHours(1)));
    }

    /** A client certificate that expired an hour ago. */
    public Leaf expiredClient(String name) {
      return issue(name, List.of(uri("client", name)), KeyPurposeId.id_kp_clientAuth,
          Instant.now().minus(Duration.ofDays(1)), Instant.now().minus(Duration.ofHours(1)));
    }

    public Leaf issue(String cn, List<GeneralName> sans, KeyPurposeId usage, Instant notBefore, Instant notAfter) {
      try {
        KeyPair leafKeys = Keys.generateP256();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(cert, new BigInteger(128, RANDOM),
            Date.from(notBefore), Date.from(notAfter), new X500Name("CN=" + cn), leafKeys.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(usage));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(leafKeys.getPublic()));
        b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(cert));
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
        return new Leaf(leafKeys.getPrivate(), sign(b, keys.getPrivate()), cert);
      } catch (Exception e) {
        throw new IllegalStateException("cannot issue a test certificate", e);
      }
    }
  }

  /** A new CA named {@code cn}. */
  public static Ca newCa(String cn) {
    try {
      KeyPair keys = Keys.generateP256();
      X500Name name = new X500Name("CN=" + cn);
      Instant now = Instant.now();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, new BigInteger(128, RANDOM),
          Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), name, keys.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(Extension.subjectKeyIdentifier, false, new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
      return new Ca(keys, sign(b, keys.getPrivate()));
    } catch (Exception e) {
      throw new IllegalStateException("cannot make a test CA", e);
    }
  }

  public static GeneralName dns(String name) {
    return new GeneralName(GeneralName.dNSName, name);
  }

  public static GeneralName uri(String kind, String name) {
    return new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://" + TRUST_DOMAIN + "/" + kind + "/" + name);
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer) throws Exception {
    var contentSigner = new JcaContentSignerBuilder("SHA256withECDSA").build(signer);
    return new JcaX509CertificateConverter().getCertificate(b.build(contentSigner));
  }
}
