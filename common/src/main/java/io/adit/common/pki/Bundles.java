package io.adit.common.pki;

import java.io.ByteArrayOutputStream;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;

/**
 * The fingerprint of a trust bundle: SHA-256 (hex) over the DER of its CA certificates in
 * sorted order, so that the same set of CAs has the same fingerprint whatever the order. Agents
 * report it when they have applied a bundle; a CA rotation compares it with the cluster's.
 */
public final class Bundles {
  private Bundles() {}

  public static String fingerprint(Collection<X509Certificate> cas) {
    List<String> ders = cas.stream().map(Bundles::derHex).sorted().distinct().toList();
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (String der : ders) {
      all.writeBytes(HexFormat.of().parseHex(der));
    }
    return HexFormat.of().formatHex(Keys.sha256(all.toByteArray()));
  }

  private static String derHex(X509Certificate cert) {
    try {
      return HexFormat.of().formatHex(cert.getEncoded());
    } catch (CertificateEncodingException e) {
      throw new IllegalArgumentException("cannot encode the CA certificate " + cert.getSubjectX500Principal(), e);
    }
  }
}
