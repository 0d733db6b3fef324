package io.adit.controller.ca;

import io.adit.common.pki.Keys;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Objects;

/** A CA certificate and its private key, checked to belong together. */
public record CaMaterial(X509Certificate certificate, PrivateKey privateKey) {
  public CaMaterial {
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(privateKey, "privateKey");
    if (!Keys.belongTogether(privateKey, certificate.getPublicKey())) {
      throw new IllegalArgumentException("the private key does not belong to the CA certificate "
          + certificate.getSubjectX500Principal().getName());
    }
  }

  /** Never prints the key: the JDK's RSA keys print their private exponent in toString(). */
  @Override
  public String toString() {
    return "CaMaterial[" + certificate.getSubjectX500Principal().getName() + ", serial "
        + Keys.serialHex(certificate) + "]";
  }
}
