package io.adit.controller;

import io.adit.common.validation.Durations;
import io.adit.common.validation.HostPort;
import io.adit.common.validation.InvalidInputException;
import io.adit.controller.store.etcd.EtcdAuth;
import io.adit.controller.store.etcd.EtcdTls;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Everything a controller needs to start, validated here so that a bad flag is refused before
 * anything is opened. Built by {@link ControllerMain} from flags, or directly by tests.
 */
public record ControllerConfig(
    List<String> etcdEndpoints,
    HostPort listen,
    Path dataDir,
    List<HostPort> advertise,
    Optional<String> trustDomain,
    Duration defaultTtl,
    Duration maxTtl,
    Optional<Path> importCaCert,
    Optional<Path> importCaKey,
    Duration etcdTimeout,
    Optional<EtcdTls> etcdTls,
    Duration adminCertTtl,
    Optional<HostPort> httpListen,
    Optional<URI> crlUrl,
    Duration crlValidity,
    Optional<HostPort> metricsListen,
    Optional<EtcdAuth> etcdAuth) {

  public static final Duration DEFAULT_TTL = Duration.ofHours(24);
  public static final Duration DEFAULT_MAX_TTL = Duration.ofDays(30);
  public static final Duration DEFAULT_ETCD_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_ADMIN_TTL = Duration.ofDays(365);
  public static final Duration DEFAULT_CRL_VALIDITY = Duration.ofHours(1);
  static final Duration SHORTEST_CRL_VALIDITY = Duration.ofMinutes(1);
  static final Duration LONGEST_CRL_VALIDITY = Duration.ofDays(30);

  public ControllerConfig {
    etcdEndpoints = List.copyOf(etcdEndpoints);
    advertise = List.copyOf(advertise);
    if (etcdEndpoints.isEmpty()) {
      throw new InvalidInputException("--etcd is missing: give the etcd client URLs, such as http://127.0.0.1:2379");
    }
    for (String e : etcdEndpoints) {
      if (!e.matches("https?://[^\\s/]+(:\\d+)?/?")) {
        throw new InvalidInputException("--etcd '" + e + "' is not an etcd client URL: write it as http://HOST:PORT or https://HOST:PORT");
      }
    }
    if (dataDir == null) {
      throw new InvalidInputException("--data-dir is missing: give a directory for the controller's key-encryption key and admin.conf");
    }
    if (defaultTtl.isNegative() || defaultTtl.isZero()) {
      throw new InvalidInputException("--default-ttl must be positive");
    }
    if (maxTtl.compareTo(defaultTtl) < 0) {
      throw new InvalidInputException("--default-ttl (" + Durations.format(defaultTtl) + ") is longer than --max-ttl ("
          + Durations.format(maxTtl) + "): raise --max-ttl or lower --default-ttl");
    }
    if (importCaCert.isPresent() != importCaKey.isPresent()) {
      throw new InvalidInputException("--import-ca-cert and --import-ca-key go together: give both files");
    }
    trustDomain.ifPresent(td -> {
      if (!td.matches("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")) {
        throw new InvalidInputException("--trust-domain '" + td + "' is not valid: use lower-case letters, digits, '.' and '-', such as example.org");
      }
    });
    crlUrl.ifPresent(ControllerConfig::requireHttpUrl);
    if (crlValidity.compareTo(SHORTEST_CRL_VALIDITY) < 0 || crlValidity.compareTo(LONGEST_CRL_VALIDITY) > 0) {
      throw new InvalidInputException("--crl-validity " + Durations.format(crlValidity) + " is out of range: use 1m to 30d");
    }
  }

  /** Without an etcd login: etcd without authentication, or with client certificates only. */
  public ControllerConfig(List<String> etcdEndpoints, HostPort listen, Path dataDir, List<HostPort> advertise,
      Optional<String> trustDomain, Duration defaultTtl, Duration maxTtl, Optional<Path> importCaCert,
      Optional<Path> importCaKey, Duration etcdTimeout, Optional<EtcdTls> etcdTls, Duration adminCertTtl,
      Optional<HostPort> httpListen, Optional<URI> crlUrl, Duration crlValidity, Optional<HostPort> metricsListen) {
    this(etcdEndpoints, listen, dataDir, advertise, trustDomain, defaultTtl, maxTtl, importCaCert, importCaKey, etcdTimeout,
        etcdTls, adminCertTtl, httpListen, crlUrl, crlValidity, metricsListen, Optional.empty());
  }

  /** Parses {@code --crl-url}: an absolute http:// or https:// URL with a host, as CRL distribution points are. */
  public static URI parseCrlUrl(String text) {
    URI url;
    try {
      url = new URI(text.trim());
    } catch (URISyntaxException e) {
      throw new InvalidInputException("--crl-url '" + text + "' is not a URL: write it as http://HOST[:PORT]/crl");
    }
    requireHttpUrl(url);
    return url;
  }

  private static void requireHttpUrl(URI url) {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null || url.getRawFragment() != null) {
      throw new InvalidInputException("--crl-url '" + url + "' is not an http:// or https:// URL with a host:"
          + " write it as http://HOST[:PORT]/crl");
    }
  }

  /** A config with the defaults, for tests and embedding. */
  public static ControllerConfig of(List<String> etcdEndpoints, HostPort listen, Path dataDir) {
    return new ControllerConfig(etcdEndpoints, listen, dataDir, List.of(), Optional.empty(), DEFAULT_TTL, DEFAULT_MAX_TTL,
        Optional.empty(), Optional.empty(), DEFAULT_ETCD_TIMEOUT, Optional.empty(), DEFAULT_ADMIN_TTL,
        Optional.empty(), Optional.empty(), DEFAULT_CRL_VALIDITY, Optional.empty(), Optional.empty());
  }

  public ControllerConfig withTtls(Duration defaultTtl, Duration maxTtl) {
    return new ControllerConfig(etcdEndpoints, listen, dataDir, advertise, trustDomain, defaultTtl, maxTtl,
        importCaCert, importCaKey, etcdTimeout, etcdTls, adminCertTtl,
        httpListen, crlUrl, crlValidity, metricsListen, etcdAuth);
  }

  public ControllerConfig withImport(Path cert, Path key) {
    return new ControllerConfig(etcdEndpoints, listen, dataDir, advertise, trustDomain, defaultTtl, maxTtl,
        Optional.of(cert), Optional.of(key), etcdTimeout, etcdTls, adminCertTtl, httpListen, crlUrl, crlValidity, metricsListen, etcdAuth);
  }

  public ControllerConfig withTrustDomain(String td) {
    return new ControllerConfig(etcdEndpoints, listen, dataDir, advertise, Optional.of(td), defaultTtl, maxTtl,
        importCaCert, importCaKey, etcdTimeout, etcdTls, adminCertTtl,
        httpListen, crlUrl, crlValidity, metricsListen, etcdAuth);
  }

  public ControllerConfig withAdminCertTtl(Duration ttl) {
    return new ControllerConfig(etcdEndpoints, listen, dataDir, advertise, trustDomain, defaultTtl, maxTtl,
        importCaCert, importCaKey, etcdTimeout, etcdTls, ttl, httpListen, crlUrl, crlValidity, metricsListen, etcdAuth);
  }

  /** Talks to etcd over TLS, with a client certificate when etcd asks for one. */
  public ControllerConfig withEtcdTls(EtcdTls tls) {
    return new ControllerConfig(etcdEndpoints, listen, dataDir, advertise, trustDomain, defaultTtl, maxTtl,
        importCaCert, importCaKey, etcdTimeout, Optional.of(tls), adminCertTtl, httpListen, crlUrl, crlValidity, metricsListen, etcdAuth);
  }

  /** Serves the CRL over HTTP on {@code address} (port 0: any free port). */
  public ControllerConfig withHttpListen(HostPort address) {
    return new ControllerConfig(etcdEndpoints, listen, dataDir, advertise, trustDomain, defaultTtl, maxTtl,
        importCaCert, importCaKey, etcdTimeout, etcdTls, adminCertTtl, Optional.of(address), crlUrl, crlValidity, metricsListen, etcdAuth);
  }

  /** Every certificate signed carries {@code url} as its CRL distribution point. */
  public ControllerConfig withCrlUrl(String url) {
    return new ControllerConfig(etcdEndpoints, listen, dataDir, advertise, trustDomain, defaultTtl, maxTtl,
        importCaCert, importCaKey, etcdTimeout, etcdTls, adminCertTtl, httpListen, Optional.of(parseCrlUrl(url)),
        crlValidity, metricsListen, etcdAuth);
  }

  /** Serves /metrics, /healthz and /readyz over HTTP on {@code address} (port 0: any free port). */
  public ControllerConfig withMetricsListen(HostPort address) {
    return new ControllerConfig(etcdEndpoints, listen, dataDir, advertise, trustDomain, defaultTtl, maxTtl,
        importCaCert, importCaKey, etcdTimeout, etcdTls, adminCertTtl, httpListen, crlUrl, crlValidity,
        Optional.of(address), etcdAuth);
  }

  /**
   * Logs in to etcd as {@code auth}'s user (one with the root role), and gives every node an
   * etcd user of its own that may read only what an agent needs and write only its own records.
   */
  public ControllerConfig withEtcdAuth(EtcdAuth auth) {
    return new ControllerConfig(etcdEndpoints, listen, dataDir, advertise, trustDomain, defaultTtl, maxTtl,
        importCaCert, importCaKey, etcdTimeout, etcdTls, adminCertTtl, httpListen, crlUrl, crlValidity,
        metricsListen, Optional.of(auth));
  }

  /** Parses {@code --advertise HOST[:PORT]}; without a port it is the listen port (0: the one bound). */
  public static HostPort parseAdvertise(String text, int listenPort) {
    String s = text.trim();
    boolean hasPort = s.startsWith("[") ? s.contains("]:") : (s.indexOf(':') > 0 && s.indexOf(':') == s.lastIndexOf(':'));
    if (hasPort) {
      return HostPort.parse("--advertise", s, true);
    }
    String host = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
    if (host.isEmpty() || host.chars().anyMatch(Character::isWhitespace)) {
      throw new InvalidInputException("--advertise '" + text + "' is not a host or HOST:PORT");
    }
    return new HostPort(host, listenPort);
  }
}
