package io.adit.cli.client;

import io.adit.common.config.ClientConfig;
import io.adit.common.config.ConfigException;
import io.adit.common.pki.Keys;
import io.adit.common.pki.Pem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The TLS material of a config, checked before any connection: a certificate that expired, is
 * not yet valid, cannot authenticate a client or does not match its key would otherwise surface
 * as an opaque handshake failure on the controller's side.
 */
public record Credentials(List<X509Certificate> trust, PrivateKey key, List<X509Certificate> chain) {
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final String ANY_USAGE = "2.5.29.37.0";
  static final String NEW_CREDENTIAL =
      "get a fresh credential (the controller writes DATA_DIR/admin.conf at first start) and pass it with --config";

  /** Parses and checks the config's {@code ca}, {@code cert} and {@code key} at {@code now}. */
  public static Credentials load(ClientConfig config, Path file, Instant now) {
    List<X509Certificate> trust = certificates(config.caPem(), "ca", file);
    List<X509Certificate> chain = certificates(config.certPem(), "cert", file);
    PrivateKey key;
    try {
      key = Pem.privateKey(config.keyPem());
    } catch (Pem.PemException e) {
      throw new ConfigException("config file " + file + " has an unusable 'key': " + e.getMessage());
    }
    X509Certificate leaf = chain.get(0);
    checkValidity(leaf, file, now);
    checkClientUsage(leaf, file);
    checkKeyMatches(leaf, key, file);
    return new Credentials(trust, key, chain);
  }

  private static List<X509Certificate> certificates(String pem, String field, Path file) {
    List<X509Certificate> certs;
    try {
      certs = Pem.certificates(pem);
    } catch (Pem.PemException e) {
      throw new ConfigException("config file " + file + " has an unusable '" + field + "': " + e.getMessage());
    }
    if (certs.isEmpty()) {
      throw new ConfigException("config file " + file + " has no PEM certificate in '" + field
          + "': it should hold -----BEGIN CERTIFICATE----- blocks");
    }
    return certs;
  }

  static void checkValidity(X509Certificate cert, Path file, Instant now) {
    Instant notAfter = cert.getNotAfter().toInstant();
    Instant notBefore = cert.getNotBefore().toInstant();
    if (now.isAfter(notAfter)) {
      throw new ConfigException("the certificate in config file " + file + " expired at " + notAfter
          + " (" + ago(Duration.between(notAfter, now)) + " ago): " + NEW_CREDENTIAL);
    }
    if (now.isBefore(notBefore)) {
      throw new ConfigException("the certificate in config file " + file + " is not valid before "
          + notBefore + ": check this machine's clock");
    }
  }

  static void checkClientUsage(X509Certificate cert, Path file) {
    String why = null;
    if (cert.getBasicConstraints() >= 0) {
      why = "it is a CA certificate";
    } else {
      try {
        List<String> eku = cert.getExtendedKeyUsage();
        if (eku != null && !eku.contains(CLIENT_AUTH) && !eku.contains(ANY_USAGE)) {
          why = "its extended key usage does not include clientAuth";
        }
      } catch (CertificateParsingException e) {
        why = "its extended key usage cannot be read";
      }
      boolean[] usage = cert.getKeyUsage();
      if (why == null && usage != null && !usage[0]) {
        why = "its key usage does not include digitalSignature";
      }
    }
    if (why != null) {
      throw new ConfigException("the certificate in config file " + file + " cannot authenticate a client ("
          + why + "): use an admin credential such as the controller's DATA_DIR/admin.conf");
    }
  }

  static void checkKeyMatches(X509Certificate cert, PrivateKey key, Path file) {
    byte[] probe = "adit key check".getBytes(StandardCharsets.US_ASCII);
    try {
      Signature signer = Signature.getInstance(Keys.signatureAlgorithm(cert.getPublicKey()));
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(Keys.signatureAlgorithm(cert.getPublicKey()));
      verifier.initVerify(cert.getPublicKey());
      verifier.update(probe);
      if (verifier.verify(signature)) {
        return;
      }
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      // a key of another algorithm than the certificate's: reported below
    }
    throw new ConfigException("the 'key' in config file " + file + " does not belong to its 'cert': "
        + "keep the key and certificate that were issued together");
  }

  private static String ago(Duration d) {
    long s = d.getSeconds();
    return s < 120 ? s + "s" : s < 7200 ? s / 60 + "m" : s < 172800 ? s / 3600 + "h" : s / 86400 + "d";
  }
}
