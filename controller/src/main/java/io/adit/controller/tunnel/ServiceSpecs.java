package io.adit.controller.tunnel;

import io.adit.api.v1.Mode;
import io.adit.api.v1.ServiceSpec;
import io.adit.api.v1.Verify;
import io.adit.common.validation.HostPort;
import io.adit.common.validation.InvalidInputException;
import io.adit.common.validation.Names;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a service spec and fills in its defaults. Pure: what needs the store (does {@code to}
 * exist, have the nodes joined) is checked by {@link TunnelManager}. Every message names the
 * flag as {@code aditctl} spells it, since that is what the user typed.
 */
public final class ServiceSpecs {
  private static final Pattern DNS_NAME =
      Pattern.compile("(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*");

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
    return b.build();
  }

  /** Spec-only warnings: weak verification. */
  public static List<String> warnings(ServiceSpec spec) {
    if (spec.getMode() == Mode.MODE_SERVER && spec.getVerify() == Verify.VERIFY_NONE) {
      return List.of("--verify none: any client can connect without a certificate (stunnel verify = 0)");
    }
    if (spec.getMode() == Mode.MODE_SERVER && spec.getVerify() == Verify.VERIFY_OPTIONAL) {
      return List.of("--verify optional: clients without a certificate are let in (stunnel verify = 1)");
    }
    return List.of();
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
