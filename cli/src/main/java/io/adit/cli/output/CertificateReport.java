package io.adit.cli.output;

import java.io.PrintWriter;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;

/**
 * A certificate in plain words, field by field, as {@code aditctl cert inspect} prints it; the
 * fields are also the keys of its {@code -o json} output.
 */
public record CertificateReport(
    int version, String serial, String signatureAlgorithm, String issuer, String notBefore, String notAfter,
    String timeLeft, String subject, List<String> subjectAltNames, List<String> keyUsage, List<String> extendedKeyUsage,
    String basicConstraints, String subjectKeyId, String authorityKeyId, List<String> crlDistributionPoints,
    String sha256, String publicKey, List<Check> checks, String verdict) {

  /** One check against the cluster: passed or not, and what it found. */
  public record Check(String name, boolean ok, String detail) {}

  private static final String[] KEY_USAGES = {"digitalSignature", "nonRepudiation", "keyEncipherment",
      "dataEncipherment", "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"};
  private static final Map<String, String> EKU = Map.of(
      "1.3.6.1.5.5.7.3.1", "serverAuth", "1.3.6.1.5.5.7.3.2", "clientAuth", "1.3.6.1.5.5.7.3.3", "codeSigning",
      "1.3.6.1.5.5.7.3.4", "emailProtection", "1.3.6.1.5.5.7.3.8", "timeStamping", "1.3.6.1.5.5.7.3.9", "OCSPSigning",
      "2.5.29.37.0", "anyExtendedKeyUsage");

  /** The fields of {@code cert}, with {@code checks}; the verdict is the first failed check, or "accepted". */
  public static CertificateReport of(X509Certificate cert, Instant now, List<Check> checks) {
    Instant notAfter = cert.getNotAfter().toInstant();
    String left = now.isAfter(notAfter) ? "expired " + Human.relative(notAfter, now)
        : "expires " + Human.relative(notAfter, now);
    String verdict = checks.stream().filter(c -> !c.ok()).findFirst().map(c -> "refused: " + c.detail())
        .orElse(checks.isEmpty() ? "not checked" : "accepted");
    return new CertificateReport(cert.getVersion(), cert.getSerialNumber().toString(16), cert.getSigAlgName(),
        cert.getIssuerX500Principal().getName(), cert.getNotBefore().toInstant().toString(), notAfter.toString(), left,
        cert.getSubjectX500Principal().getName(), sans(cert), keyUsage(cert), eku(cert), basicConstraints(cert),
        ski(cert), aki(cert), crlDps(cert), thumbprint(cert), publicKey(cert), List.copyOf(checks), verdict);
  }

  public void print(PrintWriter out) {
    field(out, "Version", Integer.toString(version));
    field(out, "Serial", serial);
    field(out, "Signature", signatureAlgorithm);
    field(out, "Issuer", issuer);
    field(out, "Valid", notBefore + " to " + notAfter + " (" + timeLeft + ")");
    field(out, "Subject", subject);
    field(out, "Alt names", Human.list(subjectAltNames));
    field(out, "Key usage", Human.list(keyUsage));
    field(out, "Ext key usage", Human.list(extendedKeyUsage));
    field(out, "Basic constr.", basicConstraints);
    field(out, "Subject key", Human.orDash(subjectKeyId));
    field(out, "Authority key", Human.orDash(authorityKeyId));
    field(out, "CRL points", Human.list(crlDistributionPoints));
    field(out, "SHA-256", sha256);
    field(out, "Public key", publicKey);
    if (!checks.isEmpty()) {
      out.println();
      out.println("Checked against the cluster:");
      for (Check c : checks) {
        out.println("  " + (c.ok() ? "ok    " : "FAIL  ") + c.name() + ": " + c.detail());
      }
    }
    out.println();
    out.println("Verdict: " + verdict);
  }

  private static void field(PrintWriter out, String name, String value) {
    out.printf("%-15s %s%n", name + ":", value);
  }

  private static List<String> sans(X509Certificate cert) {
    List<String> out = new ArrayList<>();
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          int type = (Integer) san.get(0);
          String prefix = switch (type) {
            case GeneralName.dNSName -> "DNS:";
            case GeneralName.iPAddress -> "IP:";
            case GeneralName.uniformResourceIdentifier -> "URI:";
            case GeneralName.rfc822Name -> "email:";
            default -> "other:";
          };
          out.add(prefix + san.get(1));
        }
      }
    } catch (CertificateParsingException e) {
      out.add("(unreadable: " + e.getMessage() + ")");
    }
    return out;
  }

  private static List<String> keyUsage(X509Certificate cert) {
    boolean[] bits = cert.getKeyUsage();
    List<String> out = new ArrayList<>();
    if (bits != null) {
      for (int i = 0; i < bits.length && i < KEY_USAGES.length; i++) {
        if (bits[i]) {
          out.add(KEY_USAGES[i]);
        }
      }
      if (cert.getCriticalExtensionOIDs() != null && cert.getCriticalExtensionOIDs().contains(Extension.keyUsage.getId())) {
        out.add("(critical)");
      }
    }
    return out;
  }

  private static List<String> eku(X509Certificate cert) {
    try {
      List<String> oids = cert.getExtendedKeyUsage();
      return oids == null ? List.of() : oids.stream().map(o -> EKU.getOrDefault(o, o)).toList();
    } catch (CertificateParsingException e) {
      return List.of("(unreadable: " + e.getMessage() + ")");
    }
  }

  private static String basicConstraints(X509Certificate cert) {
    byte[] ext = cert.getExtensionValue(Extension.basicConstraints.getId());
    if (ext == null) {
      return "- (absent)";
    }
    int path = cert.getBasicConstraints();
    boolean critical = cert.getCriticalExtensionOIDs() != null
        && cert.getCriticalExtensionOIDs().contains(Extension.basicConstraints.getId());
    return (path < 0 ? "CA:false" : "CA:true" + (path == Integer.MAX_VALUE ? "" : ", pathlen " + path))
        + (critical ? " (critical)" : "");
  }

  private static String ski(X509Certificate cert) {
    byte[] ext = cert.getExtensionValue(Extension.subjectKeyIdentifier.getId());
    if (ext == null) {
      return null;
    }
    return colons(SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(ext).getOctets()).getKeyIdentifier());
  }

  private static String aki(X509Certificate cert) {
    byte[] ext = cert.getExtensionValue(Extension.authorityKeyIdentifier.getId());
    if (ext == null) {
      return null;
    }
    byte[] id = AuthorityKeyIdentifier.getInstance(ASN1OctetString.getInstance(ext).getOctets()).getKeyIdentifierOctets();
    return id == null ? null : colons(id);
  }

  private static List<String> crlDps(X509Certificate cert) {
    byte[] ext = cert.getExtensionValue(Extension.cRLDistributionPoints.getId());
    if (ext == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (DistributionPoint dp : CRLDistPoint.getInstance(ASN1OctetString.getInstance(ext).getOctets()).getDistributionPoints()) {
      DistributionPointName name = dp.getDistributionPoint();
      if (name != null && name.getType() == DistributionPointName.FULL_NAME) {
        for (GeneralName g : GeneralNames.getInstance(name.getName()).getNames()) {
          out.add(g.getName().toString());
        }
      }
    }
    return out;
  }

  private static String thumbprint(X509Certificate cert) {
    try {
      return colons(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded())).toUpperCase(Locale.ROOT);
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      return "(cannot compute: " + e.getMessage() + ")";
    }
  }

  private static String publicKey(X509Certificate cert) {
    if (cert.getPublicKey() instanceof ECPublicKey ec) {
      int bits = ec.getParams().getCurve().getField().getFieldSize();
      return "EC " + (bits == 256 ? "P-256" : bits == 384 ? "P-384" : bits == 521 ? "P-521" : bits + " bits");
    }
    if (cert.getPublicKey() instanceof RSAPublicKey rsa) {
      return "RSA " + rsa.getModulus().bitLength() + " bits";
    }
    return cert.getPublicKey().getAlgorithm();
  }

  private static String colons(byte[] bytes) {
    return HexFormat.ofDelimiter(":").formatHex(bytes);
  }
}
