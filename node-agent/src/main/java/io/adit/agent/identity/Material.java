package io.adit.agent.identity;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/** A private key, its certificate, and the CA certificates to trust with it. */
public record Material(PrivateKey key, X509Certificate certificate, List<X509Certificate> trust) {
  public Material {
    trust = List.copyOf(trust);
  }
}
