package io.adit.controller.ca;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** The pieces the root CA and the leaf signer share: serials, key identifiers, signing. */
final class X509Support {
  private static final SecureRandom RANDOM = new SecureRandom();

  private X509Support() {}

  /** 128 random bits, positive and never zero (RFC 5280 4.1.2.2). */
  static BigInteger randomSerial() {
    BigInteger serial;
    do {
      serial = new BigInteger(128, RANDOM);
    } while (serial.signum() == 0);
    return serial;
  }

  /** RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits, as openssl computes it. */
  static SubjectKeyIdentifier subjectKeyId(SubjectPublicKeyInfo key) {
    try {
      return new SubjectKeyIdentifier(MessageDigest.getInstance("SHA-1").digest(key.getPublicKeyData().getBytes()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-1", e);
    }
  }

  /**
   * The key identifier of {@code ca}: its own SKI if it has one (so chain building matches),
   * otherwise computed from its key. Issuer name and serial are left out on purpose: they
   * would stop matching when the CA certificate is re-issued with the same key.
   */
  static AuthorityKeyIdentifier authorityKeyId(X509Certificate ca) {
    byte[] ski = ca.getExtensionValue(Extension.subjectKeyIdentifier.getId());
    if (ski != null) {
      byte[] inner = ASN1OctetString.getInstance(ASN1OctetString.getInstance(ski).getOctets()).getOctets();
      return new AuthorityKeyIdentifier(inner);
    }
    SubjectPublicKeyInfo key = SubjectPublicKeyInfo.getInstance(ca.getPublicKey().getEncoded());
    return new AuthorityKeyIdentifier(subjectKeyId(key).getKeyIdentifier());
  }

  static X509Certificate sign(X509v3CertificateBuilder template, PrivateKey key, String algorithm) {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(template.build(new JcaContentSignerBuilder(algorithm).build(key)));
    } catch (OperatorCreationException | CertificateException e) {
      throw new IllegalStateException("cannot sign a certificate with " + algorithm + ": " + e.getMessage(), e);
    }
  }

  /** Checks a freshly signed certificate; failing here means a bug or a broken key, not bad input. */
  static void requireSignedBy(X509Certificate cert, PublicKey key) {
    try {
      cert.verify(key);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the certificate just signed does not verify with the CA key: " + e.getMessage(), e);
    }
  }
}
