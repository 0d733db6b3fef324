package io.adit.cli.command;

import io.adit.api.v1.Mode;
import io.adit.api.v1.ServiceSpec;
import io.adit.api.v1.Verify;
import io.adit.common.validation.Durations;
import io.adit.common.validation.HostPort;
import io.adit.common.validation.InvalidInputException;
import io.adit.common.validation.Names;
import io.adit.common.validation.TlsNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The flags of {@code service create} and {@code service update}, in stunnel's words. Create
 * builds a spec from them; update changes only the flags given. Everything that can be checked
 * without the controller is checked here; the controller checks again.
 */
public final class ServiceSpecOptions {
  static final String PLACEMENT_REQUIRED = "a service needs --node NODE or --all-nodes: "
      + "placement is explicit so a forgotten flag never opens a port on every host";

  @Option(names = "--accept", paramLabel = "[HOST:]PORT",
      description = "Where the relay listens (stunnel's accept). A bare port binds every address in"
          + " server mode and loopback only in client mode.")
  String accept;

  @Option(names = "--connect", paramLabel = "HOST:PORT", split = ",",
      description = "Where the relay connects, tried in order; repeat or separate with commas."
          + " Exclusive with --to.")
  List<String> connect;

  @Option(names = "--to", paramLabel = "SERVICE",
      description = "Client mode: connect to the nodes that run this other service. Exclusive with --connect.")
  String to;

  @Option(names = "--client", negatable = true,
      description = "Client mode (stunnel's client = yes): accept plaintext, connect out over TLS with"
          + " --identity's certificate. --no-client: server mode (the default).")
  Boolean client;

  @Option(names = "--node", paramLabel = "NODE", split = ",",
      description = "A node that runs the service; repeat or separate with commas. Exclusive with --all-nodes.")
  List<String> nodes;

  @Option(names = "--all-nodes", description = "Run the service on every node, present and future.")
  boolean allNodes;

  @Option(names = "--verify", paramLabel = "LEVEL", converter = VerifyConverter.class,
      description = "Server mode: require (default) asks every client for a certificate from the cluster"
          + " CA; optional and none let clients without one through (shown as a warning).")
  Verify verify;

  @Option(names = "--allow", paramLabel = "IDENTITY", split = ",",
      description = "Server mode: a client identity allowed to connect; repeat or separate with commas."
          + " None given: any identity the cluster CA issued. On update, --allow= clears the list.")
  List<String> allow;

  @Option(names = "--server-name", paramLabel = "NAME",
      description = "Client mode: SNI and the name checked in the server's certificate (default: --to).")
  String serverName;

  @Option(names = "--identity", paramLabel = "NAME",
      description = "Client mode: the client identity whose certificate the relay presents.")
  String identity;

  @Option(names = "--cert-ttl", paramLabel = "DURATION",
      description = "Lifetime of the service's certificates, e.g. 24h; 0s: the controller's default.")
  String certTtl;

  @Option(names = "--dns-name", paramLabel = "NAME", split = ",",
      description = "Server mode: another DNS name for the service's certificate, for clients that dial it"
          + " by that name; repeat or separate with commas. On update, --dns-name= clears the list.")
  List<String> dnsNames;

  @Option(names = "--ip", paramLabel = "ADDR", split = ",",
      description = "Server mode: an IP address for the service's certificate, for clients that dial an"
          + " address; repeat or separate with commas. On update, --ip= clears the list.")
  List<String> ips;

  @Option(names = "--trust-ca", paramLabel = "FILE",
      description = "Client mode: trust the CA certificates in this PEM file instead of the cluster CA, to reach"
          + " a TLS server Adit does not run (stunnel's CAfile with client = yes). The file is read now and"
          + " stored with the service. On update, --trust-ca= goes back to the cluster CA.")
  Path trustCa;

  @Option(names = "--tls-min-version", paramLabel = "VERSION",
      description = "The lowest TLS version the relay speaks: 1.2 (default) or 1.3.")
  String tlsMinVersion;

  @Option(names = "--handshake-timeout", paramLabel = "DURATION",
      description = "How long a TLS handshake may take, e.g. 10s (the default); 0s: the default.")
  String handshakeTimeout;

  @Option(names = "--connect-timeout", paramLabel = "DURATION",
      description = "How long connecting to one --connect address may take before the next is tried"
          + " (stunnel's TIMEOUTconnect), e.g. 10s (the default).")
  String connectTimeout;

  @Option(names = "--idle-timeout", paramLabel = "DURATION",
      description = "Close a connection after this long without traffic either way (stunnel's TIMEOUTidle),"
          + " e.g. 5m (the default).")
  String idleTimeout;

  @Option(names = "--max-connections", paramLabel = "N",
      description = "The most connections each node's relay holds open at once; more are refused"
          + " (default 1000).")
  Integer maxConnections;

  @Option(names = "--proxy-protocol", paramLabel = "v1|v2",
      description = "Server mode: send the backend a PROXY protocol header with the client's address (v2: also its"
          + " identity and certificate serial); none: stop sending it.")
  String proxyProtocol;

  @Option(names = "--failover", paramLabel = "prio|rr",
      description = "How several --connect addresses (or --to nodes) are used (stunnel's failover): prio (default)"
          + " tries them in order for every connection; rr starts each connection at the next one.")
  String failover;

  @Option(names = "--ciphers", paramLabel = "LIST",
      description = "TLS 1.2 cipher suites offered, in order of preference (stunnel's ciphers), separated by"
          + " colons or commas, OpenSSL or IANA names, e.g. ECDHE-ECDSA-AES128-GCM-SHA256; only ECDHE suites"
          + " with AES-GCM or ChaCha20-Poly1305. --ciphers= goes back to the default set.")
  String ciphers;

  @Option(names = "--ciphersuites", paramLabel = "LIST",
      description = "TLS 1.3 cipher suites offered (stunnel's ciphersuites), e.g. TLS_AES_256_GCM_SHA384;"
          + " the agents' BoringSSL provider cannot leave one out (the relay then does not start: use"
          + " --tls-provider jdk on the agent). --ciphersuites= goes back to all three.")
  String ciphersuites;

  @Option(names = "--curves", paramLabel = "LIST",
      description = "Key-exchange groups, in order of preference (stunnel's curves): X25519, P-256 (prime256v1),"
          + " P-384 (secp384r1), P-521 (secp521r1). Needs the agents' BoringSSL provider (the default)."
          + " --curves= goes back to the TLS engine's default.")
  String curves;

  @Option(names = "--dry-run", description = "Let the controller check the spec; store nothing.")
  boolean dryRun;

  /** A new spec: every required flag given, defaults filled in (server mode, verify require). */
  ServiceSpec create(String name) {
    Names.requireDnsLabel("service name", name);
    if (accept == null) {
      throw new InvalidInputException("a service needs --accept [HOST:]PORT: the address its relay listens on");
    }
    if (connect == null && to == null) {
      throw new InvalidInputException("a service needs --connect HOST:PORT (where to forward connections) "
          + "or --to SERVICE (client mode: another Adit service)");
    }
    if (nodes == null && !allNodes) {
      throw new InvalidInputException(PLACEMENT_REQUIRED);
    }
    ServiceSpec.Builder spec = ServiceSpec.newBuilder()
        .setName(name)
        .setMode(Boolean.TRUE.equals(client) ? Mode.MODE_CLIENT : Mode.MODE_SERVER)
        .setVerify(Verify.VERIFY_REQUIRE);
    return apply(spec).build();
  }

  /** {@code current} with the flags given applied; the other fields stay as they were read. */
  ServiceSpec update(ServiceSpec current) {
    if (!changesSomething()) {
      throw new InvalidInputException("nothing to change: give at least one flag, e.g. --connect HOST:PORT");
    }
    ServiceSpec.Builder spec = current.toBuilder();
    if (client != null) {
      spec.setMode(client ? Mode.MODE_CLIENT : Mode.MODE_SERVER);
    }
    return apply(spec).build();
  }

  boolean dryRun() {
    return dryRun;
  }

  private boolean changesSomething() {
    return accept != null || connect != null || to != null || client != null || nodes != null || allNodes
        || verify != null || allow != null || serverName != null || identity != null || certTtl != null
        || dnsNames != null || ips != null || trustCa != null || tlsMinVersion != null || handshakeTimeout != null
        || connectTimeout != null || idleTimeout != null || maxConnections != null || proxyProtocol != null
        || failover != null || ciphers != null || ciphersuites != null || curves != null;
  }

  private ServiceSpec.Builder apply(ServiceSpec.Builder spec) {
    if (connect != null && to != null) {
      throw new InvalidInputException("give --connect or --to, not both: --connect names backend addresses, "
          + "--to another Adit service");
    }
    if (nodes != null && allNodes) {
      throw new InvalidInputException("give --node or --all-nodes, not both");
    }
    if (accept != null) {
      spec.setAccept(HostPort.parse("--accept", accept, false).toString());
    }
    if (connect != null) {
      spec.clearTo().clearConnect();
      for (String c : nonEmpty(connect)) {
        spec.addConnect(HostPort.parse("--connect", c, true).toString());
      }
      if (spec.getConnectCount() == 0) {
        throw new InvalidInputException("--connect is empty: give HOST:PORT");
      }
    }
    if (to != null) {
      spec.clearConnect().setTo(Names.requireDnsLabel("--to", to));
    }
    if (nodes != null) {
      spec.setAllNodes(false).clearNodes();
      for (String n : nonEmpty(nodes)) {
        spec.addNodes(Names.requireDnsLabel("--node", n));
      }
      if (spec.getNodesCount() == 0) {
        throw new InvalidInputException(PLACEMENT_REQUIRED);
      }
    }
    if (allNodes) {
      spec.clearNodes().setAllNodes(true);
    }
    if (verify != null) {
      spec.setVerify(verify);
    }
    if (allow != null) {
      spec.clearAllow();
      for (String a : nonEmpty(allow)) {
        spec.addAllow(Names.requireDnsLabel("--allow", a));
      }
    }
    if (serverName != null) {
      if (serverName.chars().anyMatch(Character::isWhitespace)) {
        throw new InvalidInputException("--server-name '" + serverName + "' contains spaces: give a DNS name");
      }
      spec.setServerName(serverName);
    }
    if (identity != null) {
      spec.setIdentity(identity.isEmpty() ? "" : Names.requireDnsLabel("--identity", identity));
    }
    if (certTtl != null) {
      spec.setCertTtlSeconds(Durations.parse("--cert-ttl", certTtl).getSeconds());
    }
    if (dnsNames != null) {
      spec.clearDnsNames().addAllDnsNames(nonEmpty(dnsNames).stream().map(n -> n.toLowerCase(Locale.ROOT)).toList());
    }
    if (ips != null) {
      spec.clearIpAddresses().addAllIpAddresses(nonEmpty(ips));
    }
    if (trustCa != null) {
      spec.setTrustCaPem(trustCa.toString().isEmpty() ? "" : readTrustCa(trustCa));
    }
    if (tlsMinVersion != null) {
      String v = tlsMinVersion.startsWith("TLSv") ? tlsMinVersion.substring(4) : tlsMinVersion;
      if (!v.equals("1.2") && !v.equals("1.3")) {
        throw new InvalidInputException("--tls-min-version must be 1.2 or 1.3, not '" + tlsMinVersion + "'");
      }
      spec.setTlsMinVersion(v);
    }
    if (handshakeTimeout != null) {
      spec.setHandshakeTimeoutSeconds(seconds("--handshake-timeout", handshakeTimeout));
    }
    if (connectTimeout != null) {
      spec.setConnectTimeoutSeconds(seconds("--connect-timeout", connectTimeout));
    }
    if (idleTimeout != null) {
      spec.setIdleTimeoutSeconds(seconds("--idle-timeout", idleTimeout));
    }
    if (maxConnections != null) {
      if (maxConnections < 0) {
        throw new InvalidInputException("--max-connections must be positive, not " + maxConnections);
      }
      spec.setMaxConnections(maxConnections);
    }
    if (proxyProtocol != null) {
      String p = proxyProtocol.strip().toLowerCase(Locale.ROOT);
      if (!p.equals("v1") && !p.equals("v2") && !p.equals("none")) {
        throw new InvalidInputException("--proxy-protocol must be v1, v2 or none, not '" + proxyProtocol + "'");
      }
      spec.setProxyProtocol(p.equals("none") ? "" : p);
    }
    if (failover != null) {
      String f = failover.strip().toLowerCase(Locale.ROOT);
      if (!f.equals("prio") && !f.equals("rr")) {
        throw new InvalidInputException("--failover must be prio or rr, not '" + failover + "'");
      }
      spec.setFailover(f.equals("rr") ? "rr" : "");
    }
    if (ciphers != null) {
      spec.clearTlsCiphers().addAllTlsCiphers(TlsNames.ciphers("--ciphers", TlsNames.split(ciphers)));
    }
    if (ciphersuites != null) {
      spec.clearTlsCiphersuites().addAllTlsCiphersuites(TlsNames.ciphersuites("--ciphersuites", TlsNames.split(ciphersuites)));
    }
    if (curves != null) {
      spec.clearTlsCurves().addAllTlsCurves(TlsNames.curves("--curves", TlsNames.split(curves)));
    }
    if (!spec.getTo().isEmpty() && spec.getMode() != Mode.MODE_CLIENT) {
      throw new InvalidInputException("--to works in client mode only: add --client, or use --connect HOST:PORT");
    }
    return spec;
  }

  private static long seconds(String flag, String value) {
    java.time.Duration d = Durations.parse(flag, value);
    if (!d.isZero() && d.getSeconds() == 0) {
      throw new InvalidInputException(flag + " " + value + " is below one second: give whole seconds, e.g. 1s");
    }
    return d.getSeconds();
  }

  private static String readTrustCa(Path file) {
    String pem;
    try {
      pem = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new InvalidInputException("--trust-ca " + file + ": no such file");
    } catch (IOException e) {
      throw new InvalidInputException("--trust-ca " + file + ": cannot read it (" + e.getMessage() + ")");
    }
    if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
      throw new InvalidInputException("--trust-ca " + file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    }
    return pem;
  }

  private static List<String> nonEmpty(List<String> values) {
    return values.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  static final class VerifyConverter implements ITypeConverter<Verify> {
    @Override
    public Verify convert(String value) {
      return switch (value) {
        case "none" -> Verify.VERIFY_NONE;
        case "optional" -> Verify.VERIFY_OPTIONAL;
        case "require" -> Verify.VERIFY_REQUIRE;
        default -> throw new TypeConversionException("'" + value + "' is not a verify level: use none, optional or require");
      };
    }
  }
}
