package io.adit.agent;

import io.adit.agent.tls.Provider;
import io.adit.common.daemon.Daemon;
import io.adit.common.daemon.DaemonMain;
import io.adit.common.daemon.DaemonOptions;
import io.adit.common.daemon.LogComponents;
import io.adit.common.validation.HostPort;
import io.adit.common.validation.InvalidInputException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code adit-agent}: parses flags, starts an {@link Agent}, runs until stopped. */
@Command(name = "adit-agent", mixinStandardHelpOptions = true, sortOptions = false,
    versionProvider = AgentMain.Version.class,
    description = "Runs an Adit node agent: serves the tunnels placed on this node, with certificates it renews itself.",
    footerHeading = "%nExample:%n",
    footer = {"  adit-agent --controller ctl1.example.org:7443 --join-token TOKEN --name node1 \\",
        "      --data-dir /var/lib/adit/agent --advertise-address node1.example.org",
        "",
        "The first start joins with the token (aditctl node token create); later starts use the",
        "credential stored in the data dir and ignore --join-token.",
        "",
        "Every option can also be set in a YAML file given with --config (keys without the dashes).",
        "",
        "Exit codes: 0 stopped cleanly, 1 failed to start, 2 bad flags or config file."})
public final class AgentMain implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(AgentMain.class);

  @Option(names = "--controller", required = true, split = ",", paramLabel = "HOST:PORT",
      description = "Controllers, comma-separated or repeated; the agent fails over among them.")
  List<String> controllers = new ArrayList<>();

  @Option(names = "--join-token", paramLabel = "TOKEN",
      description = "Join token for the first start. Visible to other users in ps: prefer --join-token-file.")
  String token;

  @Option(names = "--join-token-file", paramLabel = "FILE",
      description = "Reads the join token from this file (e.g. a systemd credential); exclusive with --join-token.")
  Path tokenFile;

  @Option(names = "--name", required = true, paramLabel = "NODE", description = "This node's name (a DNS label).")
  String name;

  @Option(names = "--data-dir", required = true, paramLabel = "DIR",
      description = "Holds the node's credential, certificates and last known services.")
  Path dataDir;

  @Option(names = "--etcd", split = ",", paramLabel = "URL",
      description = "etcd client URLs; default: the ones the controller gave at join.")
  List<String> etcd = new ArrayList<>();

  @Option(names = "--advertise-address", paramLabel = "ADDR",
      description = "Address other nodes use to reach this node's relays (default: this host's name).")
  String advertise;

  @Option(names = "--etcd-ca", paramLabel = "FILE", description = "CA of etcd's TLS certificate (https endpoints).")
  Path etcdCa;

  @Option(names = "--etcd-cert", paramLabel = "FILE", description = "Client certificate for etcd's --client-cert-auth.")
  Path etcdCert;

  @Option(names = "--etcd-key", paramLabel = "FILE", description = "Its PKCS#8 private key.")
  Path etcdKey;

  @Option(names = "--tls-provider", paramLabel = "openssl|jdk",
      description = "TLS implementation of the relays: openssl (BoringSSL, default when it loads) or jdk.")
  String provider;

  @Option(names = "--metrics-listen", paramLabel = "HOST:PORT",
      description = "Serve /metrics (Prometheus text), /healthz and /readyz over plain HTTP on this address (default: off).")
  String metricsListen;

  /** --config, --log-format, --log-level, --log-level-for. */
  @Mixin
  DaemonOptions daemon;

  public static void main(String[] args) {
    int code = DaemonMain.run(new CommandLine(new AgentMain()), LogComponents.of(AgentMain.class), args);
    if (code != 0) {
      System.exit(code);
    }
  }

  @Override
  public Integer call() throws Exception {
    Daemon.runUntilStopped(Agent.start(config(), Clock.systemUTC()), log::info);
    return 0;
  }

  /** The options, checked: every error names its flag. */
  AgentConfig config() throws IOException {
    List<HostPort> ctl = new ArrayList<>();
    for (String c : controllers) {
      ctl.add(HostPort.parse("--controller", c, true));
    }
    Provider p = provider == null ? Provider.best() : switch (provider.toLowerCase(java.util.Locale.ROOT)) {
      case "openssl", "boringssl" -> Provider.OPENSSL;
      case "jdk" -> Provider.JDK;
      default -> throw new InvalidInputException("--tls-provider must be openssl or jdk");
    };
    String adv = advertise != null ? advertise : InetAddress.getLocalHost().getHostName();
    AgentConfig config = AgentConfig.of(ctl, joinToken(), name, dataDir, etcd, adv).withTlsProvider(p);
    if (etcdCa != null || etcdCert != null || etcdKey != null) {
      config = config.withEtcdTls(new EtcdTlsFiles(etcdCa, etcdCert, etcdKey));
    }
    if (metricsListen != null) {
      config = config.withMetricsListen(HostPort.parse("--metrics-listen", metricsListen, false));
    }
    return config;
  }

  Optional<String> joinToken() {
    if (tokenFile == null) {
      return Optional.ofNullable(token);
    }
    if (token != null) {
      throw new InvalidInputException("give --join-token or --join-token-file, not both");
    }
    try {
      String t = Files.readString(tokenFile, StandardCharsets.US_ASCII).strip();
      if (t.isEmpty()) {
        throw new InvalidInputException("--join-token-file " + tokenFile + " is empty: put the token from"
            + " aditctl node token create in it");
      }
      return Optional.of(t);
    } catch (NoSuchFileException e) {
      throw new InvalidInputException("--join-token-file " + tokenFile + ": no such file");
    } catch (IOException e) {
      throw new InvalidInputException("--join-token-file " + tokenFile + ": cannot read it (" + e.getMessage() + ")");
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"adit-agent " + Agent.version()};
    }
  }
}
