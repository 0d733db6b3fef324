package io.adit.controller.ca;

import io.adit.common.pki.Keys;
import io.adit.common.validation.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;

/** Makes Adit's own root CA, the one a controller creates at first start. */
public final class Authorities {
  /** Enough for clock skew between hosts set up at the same moment. */
  static final Duration BACKDATE = Duration.ofMinutes(5);
  static final int VALIDITY_YEARS = 10;
  static final String COMMON_NAME = "Adit CA";

  // SPIFFE trust domain names: lower-case letters, digits, '.', '-' and '_'.
  private static final Pattern TRUST_DOMAIN = Pattern.compile("[a-z0-9._-]{1,255}");

  private Authorities() {}

  /**
   * A self-signed ECDSA P-256 CA, subject {@code CN=Adit CA, O=<trustDomain>}, valid for ten
   * years from five minutes ago. It may sign leaf certificates only (pathLen 0).
   */
  public static CaMaterial createRoot(String trustDomain, Clock clock) {
    return createRoot(trustDomain, clock, COMMON_NAME);
  }

  /**
   * As above with another common name: a rotation's new CA is "Adit CA 2", "Adit CA 3", ..., so
   * that CAs trusted side by side (and their CRLs) never share an issuer name.
   */
  public static CaMaterial createRoot(String trustDomain, Clock clock, String commonName) {
    if (trustDomain == null || !TRUST_DOMAIN.matcher(trustDomain).matches()) {
      throw new InvalidInputException("trust domain '" + trustDomain
          + "' is not valid: use lower-case letters, digits, '.', '-' and '_'");
    }
    KeyPair keys = Keys.generateP256();
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    X509Certificate cert = X509Support.sign(template(trustDomain, commonName, keys, now),
        keys.getPrivate(), Keys.signatureAlgorithm(keys.getPublic()));
    validate(cert, keys);
    return new CaMaterial(cert, keys.getPrivate());
  }

  private static X509v3CertificateBuilder template(String trustDomain, String commonName, KeyPair keys, Instant now) {
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, trustDomain)
        .addRDN(BCStyle.CN, commonName)
        .build();
    SubjectPublicKeyInfo key = SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded());
    SubjectKeyIdentifier ski = X509Support.subjectKeyId(key);
    Instant notAfter = now.atOffset(ZoneOffset.UTC).plusYears(VALIDITY_YEARS).toInstant();
    X509v3CertificateBuilder b = new X509v3CertificateBuilder(subject, X509Support.randomSerial(),
        Date.from(now.minus(BACKDATE)), Date.from(notAfter), subject, key);
    try {
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(Extension.keyUsage, true,
          new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
      b.addExtension(Extension.subjectKeyIdentifier, false, ski);
      b.addExtension(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(ski.getKeyIdentifier()));
      b.addExtension(Extension.subjectAlternativeName, false,
          new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://" + trustDomain)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return b;
  }

  private static void validate(X509Certificate cert, KeyPair keys) {
    X509Support.requireSignedBy(cert, keys.getPublic());
    if (cert.getBasicConstraints() != 0 || cert.getKeyUsage() == null || !cert.getKeyUsage()[5]) {
      throw new IllegalStateException("the CA certificate just made is not a CA certificate");
    }
  }
}
