package io.adit.controller.tunnel;

import io.adit.api.v1.Mode;
import io.adit.api.v1.ServiceSpec;
import io.adit.api.v1.Verify;
import io.adit.common.pki.Pem;
import io.adit.common.validation.HostPort;
import io.adit.common.validation.InvalidInputException;
import io.adit.common.validation.Names;
import io.adit.common.validation.TlsNames;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.util.IPAddress;

/**
 * Checks a service spec and fills in its defaults. Pure: what needs the store (does {@code to}
 * exist, have the nodes joined) is checked by {@link TunnelManager}. Every message names the
 * flag as {@code aditctl} spells it, since that is what the user typed.
 */
public final class ServiceSpecs {
  private static final Pattern DNS_NAME =
      Pattern.compile("(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*");

  private static final Set<String> TLS_VERSIONS = Set.of("1.2", "1.3");

  private ServiceSpecs() {}

  /** The spec with defaults filled in (server mode, verify require), or a clear refusal. */
  public static ServiceSpec normalize(ServiceSpec in) {
    ServiceSpec.Builder b = in.toBuilder();
    Names.requireDnsLabel("service name", in.getName());
    if (b.getMode() == Mode.MODE_UNSPECIFIED) {
      b.setMode(Mode.MODE_SERVER);
    }
    if (b.getMode() != Mode.MODE_SERVER && b.getMode() != Mode.MODE_CLIENT) {
      throw new InvalidInputException("mode must be server or client");
    }
    boolean client = b.getMode() == Mode.MODE_CLIENT;

    HostPort.parse("--accept", in.getAccept(), false);

    boolean hasConnect = in.getConnectCount() > 0;
    boolean hasTo = !in.getTo().isEmpty();
    if (hasConnect == hasTo) {
      throw new InvalidInputException(hasConnect
          ? "give either --connect or --to, not both"
          : "a service needs --connect HOST:PORT (where the relay connects) or, in client mode, --to SERVICE");
    }
    for (String c : in.getConnectList()) {
      HostPort.parse("--connect", c, true);
    }
    requireUnique("--connect", in.getConnectList());
    if (hasTo) {
      if (!client) {
        throw new InvalidInputException("--to SERVICE is for client mode: add --client, or use --connect HOST:PORT");
      }
      Names.requireDnsLabel("--to", in.getTo());
      if (in.getTo().equals(in.getName())) {
        throw new InvalidInputException("--to names the service itself: a client-mode service connects to another service");
      }
    }

    boolean hasNodes = in.getNodesCount() > 0;
    if (hasNodes == in.getAllNodes()) {
      throw new InvalidInputException(hasNodes
          ? "give either --node or --all-nodes, not both"
          : "a service needs --node NODE or --all-nodes: placement is explicit, so a forgotten flag never opens a port on every host");
    }
    in.getNodesList().forEach(n -> Names.requireDnsLabel("--node", n));
    requireUnique("--node", in.getNodesList());

    if (client) {
      if (in.getVerify() != Verify.VERIFY_UNSPECIFIED && in.getVerify() != Verify.VERIFY_REQUIRE) {
        throw new InvalidInputException("--verify applies to server mode; a client-mode relay always verifies the server");
      }
      b.setVerify(Verify.VERIFY_REQUIRE);
      if (in.getAllowCount() > 0) {
        throw new InvalidInputException("--allow applies to server mode: it lists the identities that may connect");
      }
      if (in.getServerName().isEmpty() && !hasTo) {
        throw new InvalidInputException(
            "a client-mode service needs --server-name NAME (the name verified in the server's certificate) or --to SERVICE");
      }
      if (!in.getServerName().isEmpty()) {
        requireDnsName("--server-name", in.getServerName());
      }
      if (!in.getIdentity().isEmpty()) {
        Names.requireDnsLabel("--identity", in.getIdentity());
      }
    } else {
      if (b.getVerify() == Verify.VERIFY_UNSPECIFIED) {
        b.setVerify(Verify.VERIFY_REQUIRE);
      }
      if (b.getVerify() == Verify.UNRECOGNIZED) {
        throw new InvalidInputException("--verify must be none, optional or require");
      }
      if (!in.getServerName().isEmpty()) {
        throw new InvalidInputException("--server-name applies to client mode (--client)");
      }
      if (!in.getIdentity().isEmpty()) {
        throw new InvalidInputException("--identity applies to client mode (--client): a server-mode relay serves the service's own certificate");
      }
      if (in.getAllowCount() > 0 && b.getVerify() == Verify.VERIFY_NONE) {
        throw new InvalidInputException("--allow needs client certificates, but --verify none asks for none: use --verify require");
      }
      in.getAllowList().forEach(a -> Names.requireDnsLabel("--allow", a));
      requireUnique("--allow", in.getAllowList());
    }
    if (in.getCertTtlSeconds() < 0) {
      throw new InvalidInputException("--cert-ttl must be positive");
    }
    checkNames(in, client);
    checkTrustCa(in, client);
    if (!in.getTlsMinVersion().isEmpty() && !TLS_VERSIONS.contains(in.getTlsMinVersion())) {
      throw new InvalidInputException("--tls-min-version must be 1.2 or 1.3, not '" + in.getTlsMinVersion() + "'");
    }
    requireNotNegative("--handshake-timeout", in.getHandshakeTimeoutSeconds());
    requireNotNegative("--connect-timeout", in.getConnectTimeoutSeconds());
    requireNotNegative("--idle-timeout", in.getIdleTimeoutSeconds());
    if (!in.getProxyProtocol().isEmpty()) {
      if (!in.getProxyProtocol().equals("v1") && !in.getProxyProtocol().equals("v2")) {
        throw new InvalidInputException("--proxy-protocol must be v1 or v2, not '" + in.getProxyProtocol() + "'");
      }
      if (client) {
        throw new InvalidInputException("--proxy-protocol applies to server mode: it tells the backend who connected");
      }
    }
    if (!in.getFailover().isEmpty() && !in.getFailover().equals("prio") && !in.getFailover().equals("rr")) {
      throw new InvalidInputException("--failover must be prio or rr, not '" + in.getFailover() + "'");
    }
    // prio is the default: stored as empty, so that both spellings compare equal.
    b.setFailover(in.getFailover().equals("rr") ? "rr" : "");
    // One stored spelling (IANA suites, P-256 not prime256v1), so that equal lists compare equal.
    b.clearTlsCiphers().addAllTlsCiphers(TlsNames.ciphers("--ciphers", in.getTlsCiphersList()));
    b.clearTlsCiphersuites().addAllTlsCiphersuites(TlsNames.ciphersuites("--ciphersuites", in.getTlsCiphersuitesList()));
    b.clearTlsCurves().addAllTlsCurves(TlsNames.curves("--curves", in.getTlsCurvesList()));
    if (in.getMaxConnections() < 0) {
      throw new InvalidInputException("--max-connections must be positive, not " + in.getMaxConnections());
    }
    return b.build();
  }

  /** Spec-only warnings: weak verification, TLS settings that only one TLS provider honours. */
  public static List<String> warnings(ServiceSpec spec) {
    List<String> out = new ArrayList<>();
    if (spec.getMode() == Mode.MODE_SERVER && spec.getVerify() == Verify.VERIFY_NONE) {
      out.add("--verify none: any client can connect without a certificate (stunnel verify = 0)");
    }
    if (spec.getMode() == Mode.MODE_SERVER && spec.getVerify() == Verify.VERIFY_OPTIONAL) {
      out.add("--verify optional: clients without a certificate are let in (stunnel verify = 1)");
    }
    if (spec.getTlsCiphersuitesCount() > 0 && !spec.getTlsCiphersuitesList().containsAll(TlsNames.TLS13_SUITES)) {
      out.add("--ciphersuites: BoringSSL, the agents' default TLS provider, always offers all three TLS 1.3 suites;"
          + " the service runs only on agents started with --tls-provider jdk and is Failed on the others");
    }
    if (spec.getTlsCurvesCount() > 0) {
      out.add("--curves: agents started with --tls-provider jdk cannot set key-exchange groups; the service is Failed"
          + " on them");
    }
    if (spec.getTlsCiphersCount() > 0 && spec.getTlsMinVersion().equals("1.3")) {
      out.add("--ciphers lists TLS 1.2 suites, but --tls-min-version 1.3 leaves TLS 1.2 out: they are never used");
    }
    return List.copyOf(out);
  }

  private static void checkNames(ServiceSpec in, boolean client) {
    if (client && (in.getDnsNamesCount() > 0 || in.getIpAddressesCount() > 0)) {
      throw new InvalidInputException((in.getDnsNamesCount() > 0 ? "--dns-name" : "--ip")
          + " applies to server mode: it adds a name to the certificate the service presents");
    }
    for (String name : in.getDnsNamesList()) {
      requireDnsName("--dns-name", name.startsWith("*.") ? name.substring(2) : name);
    }
    requireUnique("--dns-name", in.getDnsNamesList());
    for (String ip : in.getIpAddressesList()) {
      if (!IPAddress.isValid(ip)) {
        throw new InvalidInputException("--ip '" + ip + "' is not an IPv4 or IPv6 address");
      }
    }
    requireUnique("--ip", in.getIpAddressesList());
  }

  private static void checkTrustCa(ServiceSpec in, boolean client) {
    if (in.getTrustCaPem().isEmpty()) {
      return;
    }
    if (!client) {
      throw new InvalidInputException("--trust-ca applies to client mode: a server-mode relay checks clients"
          + " against the cluster CA");
    }
    if (!in.getTo().isEmpty()) {
      throw new InvalidInputException("--trust-ca is for servers Adit does not run; --to " + in.getTo()
          + " is an Adit service, trusted through the cluster CA");
    }
    List<X509Certificate> certs;
    try {
      certs = Pem.certificates(in.getTrustCaPem());
    } catch (RuntimeException e) {
      throw new InvalidInputException("--trust-ca does not hold PEM certificates: " + e.getMessage());
    }
    if (certs.isEmpty()) {
      throw new InvalidInputException("--trust-ca holds no certificate: give a PEM file with -----BEGIN CERTIFICATE-----");
    }
    for (X509Certificate c : certs) {
      if (c.getBasicConstraints() < 0 && !c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
        throw new InvalidInputException("--trust-ca: " + c.getSubjectX500Principal().getName()
            + " is not a CA certificate; give the CA that issued the server's certificate (stunnel's CAfile)");
      }
    }
  }

  private static void requireNotNegative(String flag, long seconds) {
    if (seconds < 0) {
      throw new InvalidInputException(flag + " must be positive");
    }
  }

  private static void requireDnsName(String what, String name) {
    if (!DNS_NAME.matcher(name).matches()) {
      throw new InvalidInputException(what + " '" + name + "' is not a valid DNS name");
    }
  }

  private static void requireUnique(String what, List<String> values) {
    Set<String> seen = new HashSet<>();
    for (String v : values) {
      if (!seen.add(v)) {
        throw new InvalidInputException(what + " " + v + " is given twice");
      }
    }
  }
}
