package io.adit.agent;

import io.adit.agent.tls.Provider;
import io.adit.common.validation.HostPort;
import io.adit.common.validation.InvalidInputException;
import io.adit.common.validation.Names;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Everything an agent needs to start, validated before anything is opened. */
public record AgentConfig(
    List<HostPort> controllers,
    Optional<String> joinToken,
    String name,
    Path dataDir,
    List<String> etcdEndpoints,
    String advertiseAddress,
    Provider tlsProvider,
    Duration etcdTimeout,
    Duration resync,
    Optional<EtcdTlsFiles> etcdTls,
    Optional<HostPort> metricsListen) {

  public AgentConfig {
    controllers = List.copyOf(controllers);
    etcdEndpoints = List.copyOf(etcdEndpoints);
    if (controllers.isEmpty()) {
      throw new InvalidInputException("--controller is missing: give HOST:PORT of one or more controllers");
    }
    Names.requireDnsLabel("--name", name);
    if (dataDir == null) {
      throw new InvalidInputException("--data-dir is missing: give a directory for the node's credential and certificates");
    }
    for (String e : etcdEndpoints) {
      if (!e.matches("https?://[^\\s/]+(:\\d+)?/?")) {
        throw new InvalidInputException("--etcd '" + e + "' is not an etcd client URL: write it as http://HOST:PORT");
      }
    }
    if (!tlsProvider.isAvailable()) {
      throw new InvalidInputException("--tls-provider " + tlsProvider.name().toLowerCase(java.util.Locale.ROOT)
          + " is not usable on this host: use --tls-provider jdk");
    }
  }

  public static AgentConfig of(List<HostPort> controllers, Optional<String> token, String name, Path dataDir,
      List<String> etcd, String advertise) {
    return new AgentConfig(controllers, token, name, dataDir, etcd, advertise, Provider.best(), Duration.ofSeconds(5),
        Duration.ofSeconds(30), Optional.empty(), Optional.empty());
  }

  public AgentConfig withTlsProvider(Provider p) {
    return new AgentConfig(controllers, joinToken, name, dataDir, etcdEndpoints, advertiseAddress, p, etcdTimeout, resync,
        etcdTls, metricsListen);
  }

  /** With TLS (and a client certificate) to etcd. */
  public AgentConfig withEtcdTls(EtcdTlsFiles tls) {
    return new AgentConfig(controllers, joinToken, name, dataDir, etcdEndpoints, advertiseAddress, tlsProvider,
        etcdTimeout, resync, Optional.of(tls), metricsListen);
  }

  /** Serves /metrics, /healthz and /readyz over HTTP on {@code address} (port 0: any free port). */
  public AgentConfig withMetricsListen(HostPort address) {
    return new AgentConfig(controllers, joinToken, name, dataDir, etcdEndpoints, advertiseAddress, tlsProvider,
        etcdTimeout, resync, etcdTls, Optional.of(address));
  }
}
