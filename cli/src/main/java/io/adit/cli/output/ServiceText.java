package io.adit.cli.output;

import io.adit.api.v1.Mode;
import io.adit.api.v1.NodeServiceStatus;
import io.adit.api.v1.Service;
import io.adit.api.v1.ServiceSpec;
import io.adit.api.v1.Verify;
import io.adit.common.pki.Pem;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Services for people: a list with one line each, and a detailed view with per-node status. */
public final class ServiceText {
  private ServiceText() {}

  public static void list(PrintWriter out, List<Service> services, Instant now) {
    Table t = Table.of("NAME", "MODE", "ACCEPT", "TARGET", "NODES", "VERIFY", "LISTENING", "AGE");
    for (Service s : services) {
      ServiceSpec spec = s.getSpec();
      long listening = s.getNodeStatusList().stream().filter(n -> "Listening".equals(n.getState())).count();
      Instant created = Human.instant(s.getCreateTime());
      t.row(spec.getName(), Views.modeName(spec.getMode()), spec.getAccept(), target(spec), placement(spec),
          Views.verifyName(spec.getVerify()), listening + "/" + s.getNodeStatusCount(),
          created == null ? "-" : Human.age(Duration.between(created, now)));
    }
    t.print(out);
  }

  /** Every field, weak verification flagged, then what each node reports. */
  public static void describe(PrintWriter out, Service s, Instant now) {
    ServiceSpec spec = s.getSpec();
    field(out, "Name", spec.getName());
    field(out, "Mode", Views.modeName(spec.getMode()));
    field(out, "Accept", spec.getAccept());
    field(out, "Connect", spec.getTo().isEmpty() ? Human.list(spec.getConnectList()) : "-");
    field(out, "Failover", spec.getFailover().equals("rr") ? "round robin" : "in order");
    field(out, "To", Human.orDash(spec.getTo()));
    field(out, "Nodes", placement(spec));
    field(out, "Verify", verifyLine(spec));
    field(out, "Allow", spec.getAllowCount() == 0 ? "any identity issued by the cluster CA" : Human.list(spec.getAllowList()));
    field(out, "Server name", Human.orDash(spec.getServerName()));
    field(out, "Identity", Human.orDash(spec.getIdentity()));
    String ttl = Views.ttl(spec.getCertTtlSeconds());
    field(out, "Cert TTL", ttl == null ? "controller default" : ttl);
    if (spec.getMode() == Mode.MODE_SERVER) {
      List<String> names = new java.util.ArrayList<>(List.of(spec.getName()));
      names.addAll(spec.getDnsNamesList());
      names.addAll(spec.getIpAddressesList());
      field(out, "Cert names", Human.list(names));
    } else {
      field(out, "Trusts", spec.getTrustCaPem().isEmpty() ? "the cluster CA" : trustSummary(spec.getTrustCaPem()));
    }
    field(out, "TLS versions", spec.getTlsMinVersion().equals("1.3") ? "1.3 only" : "1.2 and 1.3");
    field(out, "Ciphers", spec.getTlsCiphersCount() == 0 ? "default (TLS 1.2: ECDHE with AES-GCM or ChaCha20)" : Human.list(spec.getTlsCiphersList()));
    field(out, "Ciphersuites", spec.getTlsCiphersuitesCount() == 0 ? "default (all TLS 1.3 suites)" : Human.list(spec.getTlsCiphersuitesList()));
    field(out, "Curves", spec.getTlsCurvesCount() == 0 ? "the TLS engine's default" : Human.list(spec.getTlsCurvesList()));
    field(out, "Timeouts", "handshake " + orDefault(spec.getHandshakeTimeoutSeconds(), "10s")
        + ", connect " + orDefault(spec.getConnectTimeoutSeconds(), "10s")
        + ", idle " + orDefault(spec.getIdleTimeoutSeconds(), "5m"));
    if (spec.getMode() == Mode.MODE_SERVER) {
      field(out, "PROXY header", spec.getProxyProtocol().isEmpty() ? "none" : spec.getProxyProtocol());
    }
    field(out, "Conn limit", spec.getMaxConnections() == 0 ? "1000 (default)" : Integer.toString(spec.getMaxConnections()));
    field(out, "Version", Long.toString(s.getVersion()));
    field(out, "Created", Human.timeAndRelative(s.getCreateTime(), now));
    field(out, "Updated", Human.timeAndRelative(s.getUpdateTime(), now)
        + (s.getUpdatedBy().isEmpty() ? "" : " by " + s.getUpdatedBy()));
    if (s.getWarningsCount() > 0) {
      out.println("Warnings:");
      s.getWarningsList().forEach(w -> out.println("  - " + w));
    }
    out.println();
    if (s.getNodeStatusCount() == 0) {
      out.println("Status: no node runs this service yet (no node has joined)");
      return;
    }
    out.println("Status:");
    Table t = Table.of("NODE", "STATE", "ERROR", "CERT SERIAL", "CERT EXPIRES", "CONNECTIONS",
        "BYTES IN", "BYTES OUT", "LAST FAILURE");
    for (NodeServiceStatus n : s.getNodeStatusList()) {
      t.row(n.getNode(), n.getState(), n.getError(), n.getCertSerial(), Human.relative(n.getCertNotAfter(), now),
          n.getActiveConnections(), Human.bytes(n.getBytesIn()), Human.bytes(n.getBytesOut()), n.getLastFailure());
    }
    t.print(out);
  }

  private static String orDefault(long seconds, String fallback) {
    String d = Views.ttl(seconds);
    return d == null ? fallback : d;
  }

  /** The subjects of the CA certificates a client-mode service trusts instead of the cluster CA. */
  private static String trustSummary(String pem) {
    try {
      List<String> subjects = Pem.certificates(pem).stream()
          .map(c -> c.getSubjectX500Principal().getName()).toList();
      return "--trust-ca: " + String.join("; ", subjects);
    } catch (RuntimeException e) {
      return "--trust-ca (unreadable: " + e.getMessage() + ")";
    }
  }

  /** The verify level, with a warning for the stunnel-compatible opt-outs. */
  static String verifyLine(ServiceSpec spec) {
    if (spec.getMode() == Mode.MODE_CLIENT) {
      return Views.verifyName(spec.getVerify()) + " (not used in client mode)";
    }
    if (spec.getVerify() == Verify.VERIFY_NONE) {
      return "none   WARNING: no client certificate is asked for; anyone who reaches the port gets through";
    }
    if (spec.getVerify() == Verify.VERIFY_OPTIONAL) {
      return "optional   WARNING: clients without a certificate get through";
    }
    return "require";
  }

  static String target(ServiceSpec spec) {
    return spec.getTo().isEmpty() ? Human.list(spec.getConnectList()) : "service:" + spec.getTo();
  }

  static String placement(ServiceSpec spec) {
    return spec.getAllNodes() ? "(all nodes)" : Human.list(spec.getNodesList());
  }

  static void field(PrintWriter out, String name, String value) {
    out.printf("%-13s %s%n", name + ":", value);
  }
}
