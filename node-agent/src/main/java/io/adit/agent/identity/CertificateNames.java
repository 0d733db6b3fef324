package io.adit.agent.identity;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.bouncycastle.util.IPAddress;

/** Whether a certificate carries the DNS names and IP addresses a service asks for. */
public final class CertificateNames {
  private static final int DNS = 2;
  private static final int IP = 7;

  private CertificateNames() {}

  /** True if every name and address is among the certificate's subject alternative names. */
  public static boolean covers(X509Certificate cert, List<String> dnsNames, List<String> ips) {
    if (dnsNames.isEmpty() && ips.isEmpty()) {
      return true;
    }
    Set<String> names = new HashSet<>();
    Set<InetAddress> addresses = new HashSet<>();
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      if (sans == null) {
        return false;
      }
      for (List<?> san : sans) {
        int type = (Integer) san.get(0);
        if (type == DNS) {
          names.add(((String) san.get(1)).toLowerCase(Locale.ROOT));
        } else if (type == IP) {
          addresses.add(literal((String) san.get(1)));
        }
      }
      for (String ip : ips) {
        if (!addresses.contains(literal(ip))) {
          return false;
        }
      }
    } catch (CertificateParsingException | UnknownHostException e) {
      return false;
    }
    return dnsNames.stream().allMatch(n -> names.contains(n.toLowerCase(Locale.ROOT)));
  }

  /** An IP literal as an address; never a DNS lookup (the values were checked as literals). */
  private static InetAddress literal(String ip) throws UnknownHostException {
    if (!IPAddress.isValid(ip)) {
      throw new UnknownHostException("not an IP literal: " + ip);
    }
    return InetAddress.getByName(ip);
  }
}
