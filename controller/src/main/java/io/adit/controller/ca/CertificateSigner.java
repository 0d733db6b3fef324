package io.adit.controller.ca;

import io.adit.common.pki.Keys;
import io.adit.common.pki.SpiffeId;
import io.adit.common.validation.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.util.IPAddress;

/**
 * Signs leaf certificates with the CA. Like SPIRE's CA it builds a template from what the
 * controller decided, signs it, then validates what was signed before anyone sees it. The CSR
 * contributes its public key only: its subject and extensions are ignored. Thread-safe.
 */
public final class CertificateSigner {
  /**
   * Tolerates a peer whose clock is a little behind ours: a minute, but never more than a tenth
   * of the lifetime, so that notBefore..notAfter stays close to the real lifetime that renewal
   * at half-life is computed from (a 6 s certificate backdated a minute would look 66 s long).
   */
  static final Duration BACKDATE = Duration.ofMinutes(1);

  static Duration backdate(Duration ttl) {
    Duration tenth = ttl.dividedBy(10);
    return tenth.compareTo(BACKDATE) < 0 ? tenth : BACKDATE;
  }

  private final CaMaterial ca;
  private final Clock clock;
  private final X500Name issuer;
  private final AuthorityKeyIdentifier authorityKeyId;
  private final String signatureAlgorithm;
  private final Optional<CRLDistPoint> crlDistributionPoint;

  /**
   * What the controller decided a leaf certificate says: the identity (URI SAN and CN), extra
   * DNS names and IP addresses, and the lifetime. The CSR only contributes the public key.
   */
  public record LeafRequest(SpiffeId id, List<String> dnsNames, List<String> ipAddresses, Duration ttl) {
    /** ub-common-name in RFC 5280. */
    static final int MAX_COMMON_NAME = 64;

    // Host names (RFC 1123 labels), optionally with a leading wildcard label.
    private static final Pattern DNS_NAME = Pattern.compile(
        "(\\*\\.)?([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*");

    public LeafRequest {
      Objects.requireNonNull(id, "id");
      dnsNames = dnsNames == null ? List.of() : List.copyOf(dnsNames);
      ipAddresses = ipAddresses == null ? List.of() : List.copyOf(ipAddresses);
      if (ttl == null || ttl.isNegative() || ttl.isZero()) {
        throw new InvalidInputException("a certificate lifetime must be positive, not " + ttl);
      }
      if (id.name().length() > MAX_COMMON_NAME) {
        throw new InvalidInputException("the name '" + id.name() + "' is " + id.name().length()
            + " characters long; a certificate's common name holds at most " + MAX_COMMON_NAME);
      }
      for (String name : dnsNames) {
        if (name.length() > 253 || !DNS_NAME.matcher(name.toLowerCase(Locale.ROOT)).matches()) {
          throw new InvalidInputException("--dns-name '" + name + "' is not a valid DNS name");
        }
      }
      for (String ip : ipAddresses) {
        if (!IPAddress.isValid(ip)) {
          throw new InvalidInputException("--ip '" + ip + "' is not an IPv4 or IPv6 address");
        }
      }
    }

    /** A request for the identity alone, with no extra names. */
    public static LeafRequest of(SpiffeId id, Duration ttl) {
      return new LeafRequest(id, List.of(), List.of(), ttl);
    }
  }

  public CertificateSigner(CaMaterial ca, Clock clock) {
    this(ca, clock, Optional.empty());
  }

  /**
   * @param crlUrl where the CRL is published ({@code --crl-url}): every leaf signed carries it
   *     as its CRL distribution point
   */
  public CertificateSigner(CaMaterial ca, Clock clock, Optional<URI> crlUrl) {
    this.ca = Objects.requireNonNull(ca, "ca");
    this.crlDistributionPoint = crlUrl.map(CertificateSigner::distributionPoint);
    this.clock = Objects.requireNonNull(clock, "clock");
    try {
      // The issuer must be the CA subject byte for byte, so take it from the encoding.
      this.issuer = new X509CertificateHolder(ca.certificate().getEncoded()).getSubject();
    } catch (IOException | CertificateEncodingException e) {
      throw new IllegalArgumentException("the CA certificate cannot be parsed: " + e.getMessage(), e);
    }
    this.authorityKeyId = X509Support.authorityKeyId(ca.certificate());
    this.signatureAlgorithm = Keys.signatureAlgorithm(ca.certificate().getPublicKey());
  }

  /** The certificate of the CA that signs here. */
  public X509Certificate caCertificate() {
    return ca.certificate();
  }

  /**
   * @throws InvalidInputException if the CSR's signature does not verify or its key is not EC
   *     P-256/P-384 or RSA of at least 2048 bits
   * @throws IllegalStateException if the CA is not valid now
   */
  public X509Certificate sign(PKCS10CertificationRequest csr, LeafRequest request) {
    Objects.requireNonNull(csr, "csr");
    Objects.requireNonNull(request, "request");
    boolean rsa = checkKey(csr);
    SubjectPublicKeyInfo key = csr.getSubjectPublicKeyInfo();
    X509v3CertificateBuilder template = template(key, rsa, request, clock.instant());
    X509Certificate cert = X509Support.sign(template, ca.privateKey(), signatureAlgorithm);
    validate(cert, key, request);
    return cert;
  }

  /**
   * Returns whether the key is RSA. The key type is read from the ASN.1 first, so an unsupported
   * key is named as such rather than reported as a bad signature.
   */
  private static boolean checkKey(PKCS10CertificationRequest csr) {
    SubjectPublicKeyInfo key = csr.getSubjectPublicKeyInfo();
    boolean rsa = isRsa(key);
    boolean signed;
    try {
      // BouncyCastle's build(SubjectPublicKeyInfo) asks the JCA for a KeyFactory named by the
      // OID, which the JDK's EC provider does not answer to; name the algorithm ourselves.
      PublicKey publicKey = KeyFactory.getInstance(rsa ? "RSA" : "EC").generatePublic(new X509EncodedKeySpec(key.getEncoded()));
      signed = csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(publicKey));
    } catch (GeneralSecurityException | IOException | OperatorCreationException | PKCSException e) {
      signed = false; // a malformed key or an unknown signature algorithm: the same answer for the caller
    }
    if (!signed) {
      throw new InvalidInputException("the certificate request's signature does not verify");
    }
    return rsa;
  }

  private static boolean isRsa(SubjectPublicKeyInfo key) {
    ASN1ObjectIdentifier algorithm = key.getAlgorithm().getAlgorithm();
    ASN1Encodable parameters = key.getAlgorithm().getParameters();
    if (X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm)) {
      if (SECObjectIdentifiers.secp256r1.equals(parameters) || SECObjectIdentifiers.secp384r1.equals(parameters)) {
        return false;
      }
      throw new InvalidInputException("the certificate request's EC key is not on curve P-256 or P-384");
    }
    if (PKCSObjectIdentifiers.rsaEncryption.equals(algorithm)) {
      int bits;
      try {
        bits = RSAPublicKey.getInstance(key.parsePublicKey()).getModulus().bitLength();
      } catch (IOException | IllegalArgumentException e) {
        throw new InvalidInputException("the certificate request's RSA key cannot be parsed");
      }
      if (bits < 2048) {
        throw new InvalidInputException("the certificate request's RSA key has " + bits + " bits; at least 2048 are required");
      }
      return true;
    }
    throw new InvalidInputException("the certificate request's key type (" + algorithm
        + ") is not supported: use EC P-256 or P-384, or RSA of at least 2048 bits");
  }

  private X509v3CertificateBuilder template(SubjectPublicKeyInfo key, boolean rsa, LeafRequest request, Instant now) {
    Instant caNotBefore = ca.certificate().getNotBefore().toInstant();
    Instant caNotAfter = ca.certificate().getNotAfter().toInstant();
    if (now.isBefore(caNotBefore) || !now.isBefore(caNotAfter)) {
      throw new IllegalStateException("the CA certificate is valid from " + caNotBefore + " to " + caNotAfter
          + ", not at " + now + ": renew the CA or check this host's clock");
    }
    // X.509 times have whole seconds; truncating here keeps what we check equal to what is encoded.
    Instant notBefore = max(now.minus(backdate(request.ttl())), caNotBefore).truncatedTo(ChronoUnit.SECONDS);
    Instant notAfter = min(now.plus(request.ttl()), caNotAfter).truncatedTo(ChronoUnit.SECONDS);
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName(request.id())).build();
    X509v3CertificateBuilder b = new X509v3CertificateBuilder(issuer, X509Support.randomSerial(),
        Date.from(notBefore), Date.from(notAfter), subject, key);
    int usage = KeyUsage.digitalSignature | (rsa ? KeyUsage.keyEncipherment : 0);
    try {
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
      b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes(request.id().kind())));
      b.addExtension(Extension.subjectKeyIdentifier, false, X509Support.subjectKeyId(key));
      b.addExtension(Extension.authorityKeyIdentifier, false, authorityKeyId);
      b.addExtension(Extension.subjectAlternativeName, false, subjectAltNames(request));
      if (crlDistributionPoint.isPresent()) {
        b.addExtension(Extension.cRLDistributionPoints, false, crlDistributionPoint.get());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return b;
  }

  static KeyPurposeId[] purposes(SpiffeId.Kind kind) {
    return switch (kind) {
      case SERVICE -> new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth};
      case CLIENT, ADMIN -> new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth};
      case NODE, CONTROLLER -> new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth};
    };
  }

  /** One distribution point, a full name that is the URL; no reasons, no CRL issuer (RFC 5280 4.2.1.13). */
  private static CRLDistPoint distributionPoint(URI url) {
    GeneralNames name = new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, url.toString()));
    return new CRLDistPoint(new DistributionPoint[] {
        new DistributionPoint(new DistributionPointName(DistributionPointName.FULL_NAME, name), null, null)});
  }

  private static GeneralNames subjectAltNames(LeafRequest request) {
    List<GeneralName> names = new ArrayList<>();
    names.add(new GeneralName(GeneralName.uniformResourceIdentifier, request.id().toUri().toString()));
    new LinkedHashSet<>(request.dnsNames()).forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
    new LinkedHashSet<>(request.ipAddresses()).forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
    return new GeneralNames(names.toArray(GeneralName[]::new));
  }

  private void validate(X509Certificate cert, SubjectPublicKeyInfo key, LeafRequest request) {
    X509Support.requireSignedBy(cert, ca.certificate().getPublicKey());
    if (!Arrays.equals(cert.getPublicKey().getEncoded(), encoded(key))) {
      throw new IllegalStateException("the certificate just signed does not carry the requested key");
    }
    if (!SpiffeId.of(cert).equals(Optional.of(request.id()))) {
      throw new IllegalStateException("the certificate just signed does not name " + request.id());
    }
    if (cert.getBasicConstraints() != -1 || !cert.getNotAfter().after(cert.getNotBefore())) {
      throw new IllegalStateException("the certificate just signed breaks the leaf profile");
    }
  }

  private static byte[] encoded(SubjectPublicKeyInfo key) {
    try {
      return key.getEncoded();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  /** CN = the name; the controllers share one nameless identity, so theirs is "adit-controller". */
  static String commonName(SpiffeId id) {
    return id.name().isEmpty() ? "adit-controller" : id.name();
  }
}
