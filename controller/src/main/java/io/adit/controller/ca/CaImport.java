package io.adit.controller.ca;

import io.adit.common.pki.Pem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x509.Extension;

/**
 * Reads an existing CA ({@code ca.crt} + {@code ca.key}) as people actually have it: keys from
 * {@code openssl ecparam -genkey}, SEC1, PKCS#1 or PKCS#8, and certificates made by hand that
 * lack extensions Adit's own CA has. What cannot work is refused; what works but trips strict
 * verifiers is imported with a warning, so the operator learns it now rather than from a peer.
 */
public final class CaImport {
  static final Duration EXPIRY_WARNING = Duration.ofDays(30);

  // Indexes into X509Certificate.getKeyUsage().
  private static final int KEY_CERT_SIGN = 5;
  private static final int CRL_SIGN = 6;
  private static final String STRICT = "; `openssl verify -x509_strict` will reject the certificates it signs";

  private CaImport() {}

  /** The imported CA and what is wrong with it that does not stop it from working. */
  public record Imported(CaMaterial material, List<String> warnings) {
    public Imported {
      Objects.requireNonNull(material, "material");
      warnings = List.copyOf(warnings);
    }
  }

  public static Imported load(Path certFile, Path keyFile) {
    return load(certFile, keyFile, Clock.systemUTC());
  }

  public static Imported load(Path certFile, Path keyFile, Clock clock) {
    List<String> warnings = new ArrayList<>();
    X509Certificate cert = readCertificate(certFile, warnings);
    PrivateKey key = readKey(keyFile);
    CaMaterial material;
    try {
      material = new CaMaterial(cert, key);
    } catch (IllegalArgumentException e) {
      throw new CaImportException("the private key in " + keyFile + " does not belong to the certificate in " + certFile);
    }
    checkKeyType(cert, certFile, warnings);
    checkCaExtensions(cert, certFile, warnings);
    checkValidity(cert, certFile, clock.instant(), warnings);
    return new Imported(material, warnings);
  }

  private static X509Certificate readCertificate(Path file, List<String> warnings) {
    List<X509Certificate> certs;
    try {
      certs = Pem.certificates(read(file, "CA certificate"));
    } catch (Pem.PemException e) {
      throw new CaImportException("the CA certificate file " + file + " cannot be read: " + e.getMessage(), e);
    }
    if (certs.isEmpty()) {
      throw new CaImportException("the CA certificate file " + file
          + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    }
    if (certs.size() > 1) {
      warnings.add(file + " holds " + certs.size() + " certificates; only the first is used as the CA");
    }
    return certs.get(0);
  }

  private static PrivateKey readKey(Path file) {
    try {
      return Pem.privateKey(read(file, "CA key"));
    } catch (Pem.PemException e) {
      throw new CaImportException("the CA key file " + file + " cannot be used: " + e.getMessage(), e);
    }
  }

  private static String read(Path file, String what) {
    try {
      // Latin-1 never fails to decode, so a binary (DER) file ends up as "no PEM block found".
      return Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (NoSuchFileException e) {
      throw new CaImportException("the " + what + " file " + file + " does not exist", e);
    } catch (AccessDeniedException e) {
      throw new CaImportException("the " + what + " file " + file + " cannot be read: permission denied", e);
    } catch (IOException e) {
      throw new CaImportException("the " + what + " file " + file + " cannot be read: " + e.getMessage(), e);
    }
  }

  private static void checkKeyType(X509Certificate cert, Path file, List<String> warnings) {
    String algorithm = cert.getPublicKey().getAlgorithm();
    if (cert.getPublicKey() instanceof RSAPublicKey rsa) {
      int bits = rsa.getModulus().bitLength();
      if (bits < 2048) {
        warnings.add("the CA key is RSA with " + bits + " bits; current TLS libraries expect at least 2048");
      }
    } else if (!algorithm.equals("EC")) {
      throw new CaImportException("the CA certificate in " + file + " has a " + algorithm
          + " key; Adit signs with EC (P-256, P-384) or RSA keys only");
    }
  }

  private static void checkCaExtensions(X509Certificate cert, Path file, List<String> warnings) {
    boolean hasBasicConstraints = cert.getExtensionValue(Extension.basicConstraints.getId()) != null;
    boolean[] keyUsage = cert.getKeyUsage();
    if (hasBasicConstraints && cert.getBasicConstraints() < 0) {
      throw new CaImportException("the certificate in " + file + " is not a CA certificate: its basicConstraints say CA:false");
    }
    if (keyUsage != null && !keyUsage[KEY_CERT_SIGN]) {
      throw new CaImportException("the certificate in " + file
          + " may not sign certificates: its keyUsage lacks keyCertSign");
    }
    if (!hasBasicConstraints) {
      // OpenSSL accepts a CA without basicConstraints only as a v1 root or with a keyUsage
      // extension; a v3 certificate with neither is "invalid CA certificate" even when not strict.
      boolean openSslRejects = cert.getVersion() >= 3 && keyUsage == null;
      warnings.add("the CA certificate has no basicConstraints extension" + (openSslRejects
          ? "; OpenSSL (and so stunnel) will reject every certificate it signs as \"invalid CA certificate\""
          : STRICT));
    } else if (!cert.getCriticalExtensionOIDs().contains(Extension.basicConstraints.getId())) {
      warnings.add("the CA certificate's basicConstraints extension is not critical" + STRICT);
    }
    if (keyUsage == null) {
      warnings.add("the CA certificate has no keyUsage extension" + STRICT);
    } else if (!keyUsage[CRL_SIGN]) {
      warnings.add("the CA certificate's keyUsage lacks cRLSign; tools that check Adit's CRL "
          + "(openssl verify -crl_check, stunnel CRLfile) will reject it");
    }
    if (cert.getExtensionValue(Extension.subjectKeyIdentifier.getId()) == null) {
      warnings.add("the CA certificate has no subjectKeyIdentifier extension" + STRICT);
    }
    if (!cert.getIssuerX500Principal().equals(cert.getSubjectX500Principal())) {
      warnings.add("the CA certificate is not self-signed (issuer " + cert.getIssuerX500Principal().getName()
          + "); OpenSSL-based peers such as stunnel need its chain up to the root in their CA file");
    }
  }

  private static void checkValidity(X509Certificate cert, Path file, Instant now, List<String> warnings) {
    Instant notBefore = cert.getNotBefore().toInstant();
    Instant notAfter = cert.getNotAfter().toInstant();
    if (now.isBefore(notBefore)) {
      throw new CaImportException("the CA certificate in " + file + " is not valid until " + notBefore
          + "; check this host's clock");
    }
    if (!now.isBefore(notAfter)) {
      throw new CaImportException("the CA certificate in " + file + " expired at " + notAfter
          + "; renew it or import another CA");
    }
    Duration left = Duration.between(now, notAfter);
    if (left.compareTo(EXPIRY_WARNING) < 0) {
      warnings.add("the CA certificate expires in " + left.toDays() + " days (at " + notAfter
          + "); every certificate it signs ends then too");
    }
  }
}
