package io.adit.cli.declarative;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.adit.api.v1.Mode;
import io.adit.api.v1.ServiceSpec;
import io.adit.api.v1.Verify;
import io.adit.common.validation.Durations;
import io.adit.common.validation.HostPort;
import io.adit.common.validation.InvalidInputException;
import io.adit.common.validation.TlsNames;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The {@code spec} of a {@code kind: Service} object: the flags of {@code aditctl service create}
 * in camelCase, durations spelled as in the flags ("10s"). Unset fields are left out when
 * written and mean the controller's default when read. Mapped to and from the API's
 * {@link ServiceSpec} here and nowhere else, so that what {@code get -o yaml} writes reads back
 * to the same spec.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"client", "accept", "connect", "to", "nodes", "allNodes", "verify", "allow", "serverName",
    "identity", "certTtl", "dnsNames", "ipAddresses", "trustCa", "tlsMinVersion", "handshakeTimeout",
    "connectTimeout", "idleTimeout", "maxConnections", "proxyProtocol", "failover", "ciphers", "ciphersuites",
    "curves"})
public record ServiceFields(
    Boolean client, String accept, List<String> connect, String to, List<String> nodes, Boolean allNodes,
    String verify, List<String> allow, String serverName, String identity, String certTtl, List<String> dnsNames,
    List<String> ipAddresses, String trustCa, String tlsMinVersion, String handshakeTimeout, String connectTimeout,
    String idleTimeout, Integer maxConnections, String proxyProtocol, String failover, List<String> ciphers,
    List<String> ciphersuites, List<String> curves) {

  /** The API spec named {@code name}; values checked as the flags check them, the rest by the controller. */
  public ServiceSpec toProto(String name) {
    ServiceSpec.Builder b = ServiceSpec.newBuilder().setName(name)
        .setMode(Boolean.TRUE.equals(client) ? Mode.MODE_CLIENT : Mode.MODE_SERVER);
    if (accept != null) {
      b.setAccept(HostPort.parse("accept", accept, false).toString());
    }
    in(connect).forEach(c -> b.addConnect(HostPort.parse("connect", c, true).toString()));
    b.setTo(orEmpty(to));
    b.addAllNodes(in(nodes)).setAllNodes(Boolean.TRUE.equals(allNodes));
    if (verify != null) {
      b.setVerify(switch (verify) {
        case "none" -> Verify.VERIFY_NONE;
        case "optional" -> Verify.VERIFY_OPTIONAL;
        case "require" -> Verify.VERIFY_REQUIRE;
        default -> throw new InvalidInputException("verify must be none, optional or require, not '" + verify + "'");
      });
    }
    b.addAllAllow(in(allow)).setServerName(orEmpty(serverName)).setIdentity(orEmpty(identity));
    b.setCertTtlSeconds(seconds("certTtl", certTtl));
    in(dnsNames).forEach(n -> b.addDnsNames(n.toLowerCase(Locale.ROOT)));
    b.addAllIpAddresses(in(ipAddresses)).setTrustCaPem(orEmpty(trustCa));
    String tls = orEmpty(tlsMinVersion);
    b.setTlsMinVersion(tls.startsWith("TLSv") ? tls.substring(4) : tls);
    b.setHandshakeTimeoutSeconds(seconds("handshakeTimeout", handshakeTimeout))
        .setConnectTimeoutSeconds(seconds("connectTimeout", connectTimeout))
        .setIdleTimeoutSeconds(seconds("idleTimeout", idleTimeout));
    if (maxConnections != null) {
      b.setMaxConnections(maxConnections);
    }
    String proxy = orEmpty(proxyProtocol).strip().toLowerCase(Locale.ROOT);
    b.setProxyProtocol(proxy.equals("none") ? "" : proxy);
    String order = orEmpty(failover).strip().toLowerCase(Locale.ROOT);
    if (!order.isEmpty() && !order.equals("prio") && !order.equals("rr")) {
      throw new InvalidInputException("failover must be prio or rr, not '" + failover + "'");
    }
    b.setFailover(order.equals("rr") ? "rr" : "");
    b.addAllTlsCiphers(TlsNames.ciphers("ciphers", in(ciphers)))
        .addAllTlsCiphersuites(TlsNames.ciphersuites("ciphersuites", in(ciphersuites)))
        .addAllTlsCurves(TlsNames.curves("curves", in(curves)));
    return b.build();
  }

  /** The fields of a stored spec; defaults (empty, zero, server mode) are left out. */
  public static ServiceFields of(ServiceSpec s) {
    boolean clientMode = s.getMode() == Mode.MODE_CLIENT;
    return new ServiceFields(clientMode ? Boolean.TRUE : null, blank(s.getAccept()), out(s.getConnectList()),
        blank(s.getTo()), out(s.getNodesList()), s.getAllNodes() ? Boolean.TRUE : null,
        clientMode ? null : verifyName(s.getVerify()), out(s.getAllowList()), blank(s.getServerName()),
        blank(s.getIdentity()), duration(s.getCertTtlSeconds()), out(s.getDnsNamesList()),
        out(s.getIpAddressesList()), blank(s.getTrustCaPem()), blank(s.getTlsMinVersion()),
        duration(s.getHandshakeTimeoutSeconds()), duration(s.getConnectTimeoutSeconds()),
        duration(s.getIdleTimeoutSeconds()), s.getMaxConnections() == 0 ? null : s.getMaxConnections(),
        blank(s.getProxyProtocol()), blank(s.getFailover()), out(s.getTlsCiphersList()),
        out(s.getTlsCiphersuitesList()), out(s.getTlsCurvesList()));
  }

  private static String verifyName(Verify v) {
    return switch (v) {
      case VERIFY_NONE -> "none";
      case VERIFY_OPTIONAL -> "optional";
      default -> "require";
    };
  }

  private static long seconds(String field, String value) {
    if (value == null) {
      return 0;
    }
    Duration d = Durations.parse(field, value);
    if (!d.isZero() && d.getSeconds() == 0) {
      throw new InvalidInputException(field + " " + value + " is below one second: give whole seconds, e.g. 1s");
    }
    return d.getSeconds();
  }

  private static String duration(long seconds) {
    return seconds <= 0 ? null : Durations.format(Duration.ofSeconds(seconds));
  }

  /** A list as read: absent is empty; blank items are dropped. */
  private static List<String> in(List<String> values) {
    return values == null ? List.of() : values.stream().filter(v -> v != null && !v.isBlank()).map(String::strip).toList();
  }

  /** A list to write: empty is left out. */
  private static List<String> out(List<String> values) {
    return values.isEmpty() ? null : List.copyOf(values);
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  private static String blank(String s) {
    return s.isEmpty() ? null : s;
  }
}
