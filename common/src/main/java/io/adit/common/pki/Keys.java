package io.adit.common.pki;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.HexFormat;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;

/** Key pairs, CSRs and fingerprints. Keys are ECDSA P-256 and are made where they are used. */
public final class Keys {
  private Keys() {}

  public static KeyPair generateP256() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot make P-256 keys", e);
    }
  }

  /** A CSR for {@code keys} with subject CN={@code commonName}, signed with SHA-256. */
  public static PKCS10CertificationRequest csr(KeyPair keys, String commonName) {
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
    try {
      ContentSigner signer = new JcaContentSignerBuilder(signatureAlgorithm(keys.getPublic())).build(keys.getPrivate());
      return new JcaPKCS10CertificationRequestBuilder(subject, keys.getPublic()).build(signer);
    } catch (OperatorCreationException e) {
      throw new IllegalStateException("cannot sign a certificate request", e);
    }
  }

  public static String signatureAlgorithm(PublicKey key) {
    return switch (key.getAlgorithm()) {
      case "EC", "ECDSA" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> throw new IllegalArgumentException("unsupported key algorithm " + key.getAlgorithm());
    };
  }

  /**
   * SHA-256 of the certificate's SubjectPublicKeyInfo, base64url without padding: the CA hash a
   * join token pins. It survives re-issuing the CA certificate with the same key.
   */
  public static String spkiHash(X509Certificate cert) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(cert.getPublicKey().getEncoded()));
  }

  /** SHA-256 of the whole certificate, hex in colon-separated pairs, as openssl prints it. */
  public static String thumbprint(X509Certificate cert) {
    try {
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(sha256(cert.getEncoded()));
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  public static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Whether a private key belongs to a public key. Comparing encodings would need per-algorithm
   * maths (EC: Q = d*G); a signature over a fresh challenge works for every algorithm the JDK
   * can sign with.
   */
  public static boolean belongTogether(java.security.PrivateKey privateKey, PublicKey publicKey) {
    byte[] challenge = new byte[32];
    new java.security.SecureRandom().nextBytes(challenge);
    try {
      String algorithm = signatureAlgorithm(publicKey);
      java.security.Signature signer = java.security.Signature.getInstance(algorithm);
      signer.initSign(privateKey);
      signer.update(challenge);
      byte[] signature = signer.sign();
      java.security.Signature verifier = java.security.Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false; // e.g. an RSA key against an EC certificate
    }
  }

  /** A serial number as hex, lower case, as Adit prints and stores it. */
  public static String serialHex(X509Certificate cert) {
    return cert.getSerialNumber().toString(16);
  }
}
