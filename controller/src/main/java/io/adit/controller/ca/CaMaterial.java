package io.adit.controller.ca;

import io.adit.common.pki.Keys;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Objects;

/** A CA certificate and its private key, checked to belong together. */
public record CaMaterial(X509Certificate certificate, PrivateKey privateKey) {
  private static final SecureRandom RANDOM = new SecureRandom();

  public CaMaterial {
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(privateKey, "privateKey");
    if (!belongTogether(privateKey, certificate.getPublicKey())) {
      throw new IllegalArgumentException("the private key does not belong to the CA certificate "
          + certificate.getSubjectX500Principal().getName());
    }
  }

  // Comparing encodings would need per-algorithm maths (EC: Q = d*G); a signature over a fresh
  // challenge works for every algorithm the JDK can sign with.
  private static boolean belongTogether(PrivateKey privateKey, PublicKey publicKey) {
    byte[] challenge = new byte[32];
    RANDOM.nextBytes(challenge);
    String algorithm = Keys.signatureAlgorithm(publicKey);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(privateKey);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false; // e.g. an RSA key against an EC certificate
    }
  }

  /** Never prints the key: the JDK's RSA keys print their private exponent in toString(). */
  @Override
  public String toString() {
    return "CaMaterial[" + certificate.getSubjectX500Principal().getName() + ", serial "
        + Keys.serialHex(certificate) + "]";
  }
}
