package io.adit.agent.relay;

import io.adit.agent.tls.TlsChoices;
import io.adit.agent.tls.TlsContexts;
import io.adit.agent.tls.Verify;
import io.adit.common.validation.Names;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything a relay needs to run, as plain values: where it listens, where it dials, and who
 * may pass. Valid by construction; the constructor names the offending field.
 *
 * @param service the service name (a DNS label); it names the relay in logs and reasons
 * @param accept the address to listen on (port 0 picks a free port: tests)
 * @param connect backends (server mode) or remote TLS servers (client mode), tried in order:
 *     the next one is dialed when one refuses or does not answer in time
 * @param verify server mode: whether clients must present a certificate (ignored in client mode,
 *     where the server's certificate is always verified)
 * @param allow server mode: client identities allowed in; empty means any client the trusted CA
 *     vouches for (or anyone at all with {@link Verify#NONE})
 * @param serverName client mode: the name sent as SNI and verified in the server's certificate
 * @param maxConnections live connections beyond this are refused at accept
 * @param minTlsVersion "1.2" or "1.3"
 * @param proxyProtocol server mode: the PROXY protocol header sent to the backend first
 * @param failover which connect address a new connection dials first
 * @param tlsChoices the cipher suites and key-exchange groups the relay narrows TLS to
 */
public record RelaySpec(String service, Mode mode, InetSocketAddress accept, List<InetSocketAddress> connect,
    Verify verify, Set<String> allow, String serverName, Timeouts timeouts, int maxConnections, String minTlsVersion,
    ProxyProtocol proxyProtocol, Failover failover, TlsChoices tlsChoices) {

  public static final int DEFAULT_MAX_CONNECTIONS = 1000;

  /** What the backend learns first about who connected: nothing, PROXY v1 (text) or v2 (binary, with TLVs). */
  public enum ProxyProtocol { NONE, V1, V2 }

  /**
   * PRIO: every connection dials the connect addresses in order. RR: each new connection starts
   * at the next address (round robin), then tries the others in order after it.
   */
  public enum Failover { PRIO, RR }

  /** Server mode: TLS in, plaintext out. Client mode: plaintext in, TLS out. */
  public enum Mode { SERVER, CLIENT }

  /**
   * @param handshake how long a client may take to complete the TLS handshake
   * @param connect how long one backend address may take to accept a connection
   * @param idle a connection with no traffic either way for this long is closed;
   *     {@link Duration#ZERO} never closes an idle connection
   */
  public record Timeouts(Duration handshake, Duration connect, Duration idle) {
    public static final Timeouts DEFAULT = new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofMinutes(5));

    public Timeouts {
      requirePositive("handshake timeout", handshake);
      requirePositive("connect timeout", connect);
      Objects.requireNonNull(idle, "idle timeout");
      if (idle.isNegative()) {
        throw new IllegalArgumentException("idle timeout must not be negative, got " + idle);
      }
    }

    public Timeouts withHandshake(Duration d) {
      return new Timeouts(d, connect, idle);
    }

    public Timeouts withConnect(Duration d) {
      return new Timeouts(handshake, d, idle);
    }

    public Timeouts withIdle(Duration d) {
      return new Timeouts(handshake, connect, d);
    }

    private static void requirePositive(String what, Duration d) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, got " + d);
      }
    }
  }

  public RelaySpec {
    Names.requireDnsLabel("service name", service);
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(accept, "accept address of service " + service);
    if (connect == null || connect.isEmpty()) {
      throw new IllegalArgumentException("service " + service + " needs at least one connect address");
    }
    connect = List.copyOf(connect);
    for (InetSocketAddress a : connect) {
      if (a.getPort() == 0) {
        throw new IllegalArgumentException("connect address " + a + " of service " + service + " has no port");
      }
    }
    verify = verify == null ? Verify.REQUIRE : verify;
    allow = allow == null ? Set.of() : Set.copyOf(new LinkedHashSet<>(allow));
    for (String identity : allow) {
      Names.requireDnsLabel("allowed identity of service " + service, identity);
    }
    timeouts = timeouts == null ? Timeouts.DEFAULT : timeouts;
    if (maxConnections <= 0) {
      throw new IllegalArgumentException("maxConnections of service " + service + " must be positive, got " + maxConnections);
    }
    minTlsVersion = minTlsVersion == null ? "1.2" : minTlsVersion;
    proxyProtocol = proxyProtocol == null ? ProxyProtocol.NONE : proxyProtocol;
    failover = failover == null ? Failover.PRIO : failover;
    tlsChoices = tlsChoices == null ? TlsChoices.DEFAULT : tlsChoices;
    if (mode == Mode.CLIENT && proxyProtocol != ProxyProtocol.NONE) {
      throw new IllegalArgumentException("the PROXY protocol applies to server-mode services; " + service + " is in client mode");
    }
    TlsContexts.protocols(minTlsVersion); // throws on anything but 1.2 and 1.3
    if (mode == Mode.CLIENT) {
      if (serverName == null || serverName.isBlank()) {
        throw new IllegalArgumentException("client-mode service " + service
            + " needs a server name: the name verified in the remote server's certificate");
      }
      if (!allow.isEmpty()) {
        throw new IllegalArgumentException("allow applies to server-mode services; " + service + " is in client mode");
      }
    } else if (verify == Verify.NONE && !allow.isEmpty()) {
      throw new IllegalArgumentException("service " + service
          + " allows only some identities, which needs verify optional or require, not none");
    }
  }

  public static Builder server(String service) {
    return new Builder(service, Mode.SERVER);
  }

  public static Builder client(String service) {
    return new Builder(service, Mode.CLIENT);
  }

  public Builder toBuilder() {
    Builder b = new Builder(service, mode).accept(accept).verify(verify).allow(allow).serverName(serverName)
        .timeouts(timeouts).maxConnections(maxConnections).minTlsVersion(minTlsVersion).proxyProtocol(proxyProtocol)
        .failover(failover).tlsChoices(tlsChoices);
    b.connect.addAll(connect);
    return b;
  }

  /** Builds a spec with the defaults above; {@link #build()} validates. */
  public static final class Builder {
    private final String service;
    private final Mode mode;
    private InetSocketAddress accept;
    private final List<InetSocketAddress> connect = new ArrayList<>();
    private Verify verify = Verify.REQUIRE;
    private Set<String> allow = Set.of();
    private String serverName;
    private Timeouts timeouts = Timeouts.DEFAULT;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private String minTlsVersion = "1.2";
    private ProxyProtocol proxyProtocol = ProxyProtocol.NONE;
    private Failover failover = Failover.PRIO;
    private TlsChoices tlsChoices = TlsChoices.DEFAULT;

    private Builder(String service, Mode mode) {
      this.service = service;
      this.mode = mode;
    }

    public Builder accept(InetSocketAddress accept) {
      this.accept = accept;
      return this;
    }

    /** Replaces the connect list. */
    public Builder connect(InetSocketAddress... addresses) {
      return connect(List.of(addresses));
    }

    /** Replaces the connect list. */
    public Builder connect(List<InetSocketAddress> addresses) {
      connect.clear();
      connect.addAll(addresses);
      return this;
    }

    public Builder verify(Verify verify) {
      this.verify = verify;
      return this;
    }

    public Builder allow(Set<String> identities) {
      this.allow = identities;
      return this;
    }

    public Builder allow(String... identities) {
      return allow(Set.of(identities));
    }

    public Builder serverName(String serverName) {
      this.serverName = serverName;
      return this;
    }

    public Builder timeouts(Timeouts timeouts) {
      this.timeouts = timeouts;
      return this;
    }

    public Builder maxConnections(int maxConnections) {
      this.maxConnections = maxConnections;
      return this;
    }

    public Builder minTlsVersion(String version) {
      this.minTlsVersion = version;
      return this;
    }

    public Builder proxyProtocol(ProxyProtocol p) {
      this.proxyProtocol = p;
      return this;
    }

    public Builder failover(Failover f) {
      this.failover = f;
      return this;
    }

    public Builder tlsChoices(TlsChoices choices) {
      this.tlsChoices = choices;
      return this;
    }

    public RelaySpec build() {
      return new RelaySpec(service, mode, accept, connect, verify, allow, serverName, timeouts, maxConnections, minTlsVersion,
          proxyProtocol, failover, tlsChoices);
    }
  }
}
