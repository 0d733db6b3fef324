package io.adit.controller;

import io.adit.common.daemon.Daemon;
import io.adit.common.daemon.DaemonMain;
import io.adit.common.daemon.DaemonOptions;
import io.adit.common.daemon.LogComponents;
import io.adit.common.validation.Durations;
import io.adit.common.validation.HostPort;
import io.adit.common.validation.InvalidInputException;
import io.adit.controller.ca.CaRotation;
import io.adit.controller.store.etcd.EtcdAuth;
import io.adit.controller.store.etcd.EtcdTls;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code adit-controller}: parses flags, starts a {@link Controller}, runs until stopped. */
@Command(name = "adit-controller", mixinStandardHelpOptions = true, versionProvider = ControllerMain.Version.class,
    sortOptions = false,
    description = "Runs an Adit controller: the gRPC API, the cluster CA, and the store in etcd.",
    footerHeading = "%nExample:%n",
    footer = {"  adit-controller --etcd http://127.0.0.1:2379 --listen 0.0.0.0:7443 --data-dir /var/lib/adit/controller \\",
        "      --advertise ctl1.example.org",
        "  # also serve the CRL over HTTP, and name it in the certificates:",
        "  adit-controller … --http-listen 0.0.0.0:8080 \\",
        "      --crl-url http://ctl1.example.org:8080/crl",
        "",
        "At first start it creates the cluster CA (sealed in etcd with DATA_DIR/ca.kek) and writes",
        "DATA_DIR/admin.conf, the credential aditctl reads. A second controller on the same etcd needs",
        "a copy of the first one's ca.kek in its own data dir.",
        "",
        "Every option can also be set in a YAML file given with --config (keys without the dashes).",
        "",
        "Exit codes: 0 stopped cleanly, 1 failed to start, 2 bad flags or config file."})
public final class ControllerMain implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(ControllerMain.class);

  @Option(names = "--etcd", required = true, split = ",", paramLabel = "URL",
      description = "etcd client URLs, comma-separated (http://HOST:PORT or https://…).")
  List<String> etcd;

  @Option(names = "--listen", required = true, paramLabel = "HOST:PORT", description = "Address of the gRPC API.")
  String listen;

  @Option(names = "--data-dir", required = true, paramLabel = "DIR",
      description = "Holds ca.kek (the key that seals the CA key in etcd) and admin.conf.")
  Path dataDir;

  @Option(names = "--advertise", paramLabel = "HOST[:PORT]",
      description = "An address clients use to reach this controller; repeatable. Goes into its certificate and admin.conf.")
  List<String> advertise = new ArrayList<>();

  @Option(names = "--trust-domain", paramLabel = "NAME",
      description = "Trust domain of a new cluster (default adit.local); an existing cluster keeps its own.")
  String trustDomain;

  @Option(names = "--default-ttl", paramLabel = "DURATION", defaultValue = "24h",
      description = "Lifetime of issued certificates when none is asked for (default ${DEFAULT-VALUE}).")
  String defaultTtl;

  @Option(names = "--max-ttl", paramLabel = "DURATION", defaultValue = "30d",
      description = "Longest lifetime issued; longer requests are capped (default ${DEFAULT-VALUE}).")
  String maxTtl;

  @Option(names = "--admin-cert-ttl", paramLabel = "DURATION", defaultValue = "365d",
      description = "Lifetime of the admin certificate in admin.conf (default ${DEFAULT-VALUE}).")
  String adminTtl;

  @Option(names = "--import-ca-cert", paramLabel = "FILE", description = "Import this CA certificate (PEM) into a new cluster.")
  Path importCert;

  @Option(names = "--import-ca-key", paramLabel = "FILE",
      description = "The imported CA's private key: PEM, SEC1 (openssl ecparam -genkey), PKCS#1 or PKCS#8.")
  Path importKey;

  @Option(names = "--etcd-timeout", paramLabel = "DURATION", defaultValue = "5s",
      description = "Deadline of every etcd call (default ${DEFAULT-VALUE}).")
  String etcdTimeout;

  @Option(names = "--etcd-ca", paramLabel = "FILE", description = "CA of etcd's TLS certificate (https endpoints).")
  Path etcdCa;

  @Option(names = "--etcd-cert", paramLabel = "FILE", description = "Client certificate for etcd's --client-cert-auth.")
  Path etcdCert;

  @Option(names = "--etcd-key", paramLabel = "FILE", description = "Its PKCS#8 private key.")
  Path etcdKey;

  @Option(names = "--etcd-user", paramLabel = "NAME",
      description = "Log in to etcd as this user (etcd with authentication enabled); it needs the root role, to give "
          + "each node an etcd user of its own that reads only what an agent needs and writes only its own records.")
  String etcdUser;

  @Option(names = "--etcd-password-file", paramLabel = "FILE",
      description = "The file whose first line is the password of --etcd-user.")
  Path etcdPasswordFile;

  @Option(names = "--http-listen", paramLabel = "HOST:PORT",
      description = "Also serve the CRL over plain HTTP, without authentication: /crl (DER) and /crl.pem.")
  String httpListen;

  @Option(names = "--crl-url", paramLabel = "URL",
      description = "Put this http(s) URL into every certificate signed from now on as its CRL distribution point.")
  String crlUrl;

  @Option(names = "--crl-validity", paramLabel = "DURATION", defaultValue = "1h",
      description = "How long a CRL is valid (its nextUpdate); a new one is made after half of it, and at once "
          + "when a certificate is revoked (default ${DEFAULT-VALUE}).")
  String crlValidity;

  @Option(names = "--metrics-listen", paramLabel = "HOST:PORT",
      description = "Serve /metrics (Prometheus text), /healthz and /readyz over plain HTTP on this address (default: off).")
  String metricsListen;

  /** --config, --log-format, --log-level, --log-level-for. */
  @Mixin
  DaemonOptions daemon;

  @Option(names = "--ca-retire-slack", paramLabel = "DURATION", defaultValue = "5m",
      description = "After a CA rotation, how long the old CA stays trusted once the last certificate it signed has "
          + "expired (default ${DEFAULT-VALUE}).")
  String caRetireSlack;

  public static void main(String[] args) {
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    int code = DaemonMain.run(new CommandLine(new ControllerMain()), LogComponents.of(ControllerMain.class), args);
    if (code != 0) {
      System.exit(code);
    }
  }

  @Override
  public Integer call() throws Exception {
    Daemon.runUntilStopped(Controller.start(config(), Clock.systemUTC(),
        new CaRotation.Settings(Controller.DEFAULT_ROTATION.minPrepared(), Durations.parse("--ca-retire-slack", caRetireSlack))),
        log::info);
    return 0;
  }

  /** The options, checked: every error names its flag. */
  ControllerConfig config() {
    HostPort listenAddress = HostPort.parse("--listen", listen, false);
    List<HostPort> adv = new ArrayList<>();
    for (String a : advertise) {
      adv.add(ControllerConfig.parseAdvertise(a, listenAddress.port()));
    }
    Optional<EtcdTls> tls = etcdCa == null && etcdCert == null ? Optional.empty()
        : Optional.of(new EtcdTls(etcdCa, etcdCert, etcdKey));
    if ((etcdCert == null) != (etcdKey == null)) {
      throw new InvalidInputException("--etcd-cert and --etcd-key go together: give both files");
    }
    Duration def = Durations.parse("--default-ttl", defaultTtl);
    Duration max = Durations.parse("--max-ttl", maxTtl);
    ControllerConfig config = new ControllerConfig(etcd, listenAddress, dataDir, adv, Optional.ofNullable(trustDomain),
        def, max, Optional.ofNullable(importCert), Optional.ofNullable(importKey),
        Durations.parse("--etcd-timeout", etcdTimeout), tls, Durations.parse("--admin-cert-ttl", adminTtl),
        Optional.ofNullable(httpListen).map(h -> HostPort.parse("--http-listen", h, false)),
        Optional.ofNullable(crlUrl).map(ControllerConfig::parseCrlUrl), Durations.parse("--crl-validity", crlValidity),
        Optional.ofNullable(metricsListen).map(m -> HostPort.parse("--metrics-listen", m, false)));
    if (etcdUser != null) {
      config = config.withEtcdAuth(EtcdAuth.fromFile(etcdUser, etcdPasswordFile));
    } else if (etcdPasswordFile != null) {
      throw new InvalidInputException("--etcd-password-file goes with --etcd-user: give the etcd user too");
    }
    return config;
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = ControllerMain.class.getPackage().getImplementationVersion();
      return new String[] {"adit-controller " + (v == null ? "dev" : v)};
    }
  }
}
