package io.adit.controller.ca;

import io.adit.common.pki.Keys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.cert.CRLException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509CRL;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Signs certificate revocation lists (RFC 5280 v2 CRLs) with a CA, the way
 * {@link CertificateSigner} signs leaves: build the template, sign, then check what was signed.
 * Pure and thread-safe; what to list and which number to give is decided by the caller.
 */
public final class CrlSigner {
  private CrlSigner() {}

  /** A revoked certificate as the CRL lists it. */
  public record Revoked(BigInteger serial, Instant revocationDate) {
    public Revoked {
      Objects.requireNonNull(serial, "serial");
      Objects.requireNonNull(revocationDate, "revocationDate");
      if (serial.signum() <= 0) {
        throw new IllegalArgumentException("a certificate serial is positive, not " + serial);
      }
    }
  }

  /**
   * A CRL issued by {@code ca} listing {@code revoked} (sorted by serial), with the CRL number
   * and authority key identifier extensions. Entries carry no reason code: RFC 5280 asks to
   * leave it out rather than say "unspecified", and the operator's reason is free text.
   *
   * @throws IllegalStateException if what was signed does not verify with the CA's key
   */
  public static X509CRL sign(CaMaterial ca, List<Revoked> revoked, long number, Instant thisUpdate, Instant nextUpdate) {
    if (number < 0) {
      throw new IllegalArgumentException("a CRL number is not negative, not " + number);
    }
    if (!nextUpdate.isAfter(thisUpdate)) {
      throw new IllegalArgumentException("nextUpdate " + nextUpdate + " is not after thisUpdate " + thisUpdate);
    }
    // X.509 times have whole seconds; truncating keeps what callers see equal to what is encoded.
    X509v2CRLBuilder b = new X509v2CRLBuilder(issuer(ca), Date.from(thisUpdate.truncatedTo(ChronoUnit.SECONDS)));
    b.setNextUpdate(Date.from(nextUpdate.truncatedTo(ChronoUnit.SECONDS)));
    revoked.stream().sorted(Comparator.comparing(Revoked::serial)).forEach(r ->
        b.addCRLEntry(r.serial(), Date.from(r.revocationDate().truncatedTo(ChronoUnit.SECONDS)), null));
    try {
      b.addExtension(Extension.cRLNumber, false, new CRLNumber(BigInteger.valueOf(number)));
      b.addExtension(Extension.authorityKeyIdentifier, false, X509Support.authorityKeyId(ca.certificate()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    X509CRL crl = sign(b, ca);
    validate(crl, ca, revoked.size());
    return crl;
  }

  /** The issuer must be the CA's subject byte for byte, so it is taken from the encoding. */
  private static X500Name issuer(CaMaterial ca) {
    try {
      return new X509CertificateHolder(ca.certificate().getEncoded()).getSubject();
    } catch (IOException | CertificateEncodingException e) {
      throw new IllegalArgumentException("the CA certificate cannot be parsed: " + e.getMessage(), e);
    }
  }

  private static X509CRL sign(X509v2CRLBuilder template, CaMaterial ca) {
    String algorithm = Keys.signatureAlgorithm(ca.certificate().getPublicKey());
    try {
      X509CRLHolder holder = template.build(new JcaContentSignerBuilder(algorithm).build(ca.privateKey()));
      return new JcaX509CRLConverter().getCRL(holder);
    } catch (OperatorCreationException | CRLException e) {
      throw new IllegalStateException("cannot sign a CRL with " + algorithm + ": " + e.getMessage(), e);
    }
  }

  private static void validate(X509CRL crl, CaMaterial ca, int entries) {
    try {
      crl.verify(ca.certificate().getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the CRL just signed does not verify with the CA key: " + e.getMessage(), e);
    }
    int listed = crl.getRevokedCertificates() == null ? 0 : crl.getRevokedCertificates().size();
    if (!crl.getIssuerX500Principal().equals(ca.certificate().getSubjectX500Principal()) || listed != entries) {
      throw new IllegalStateException("the CRL just signed does not name its CA or lists " + listed + " of "
          + entries + " certificates");
    }
  }
}
