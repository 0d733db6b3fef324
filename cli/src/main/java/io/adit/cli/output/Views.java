package io.adit.cli.output;

import io.adit.api.v1.ApplyAction;
import io.adit.api.v1.ApplyResponse;
import io.adit.api.v1.ApplyResult;
import io.adit.api.v1.AuditEvent;
import io.adit.api.v1.Crl;
import io.adit.api.v1.Identity;
import io.adit.api.v1.JoinToken;
import io.adit.api.v1.JoinTokenInfo;
import io.adit.api.v1.Kind;
import io.adit.api.v1.Mode;
import io.adit.api.v1.Node;
import io.adit.api.v1.NodeServiceStatus;
import io.adit.api.v1.Revocation;
import io.adit.api.v1.Service;
import io.adit.api.v1.ServiceSpec;
import io.adit.api.v1.TrustBundle;
import io.adit.api.v1.Verify;
import io.adit.cli.declarative.FieldDiff;
import io.adit.common.validation.Durations;
import java.time.Duration;
import java.util.List;

/**
 * What {@code -o json} and {@code -o yaml} print: plain records whose component names are the
 * keys. This is a contract scripts rely on, so keys are camelCase, always present (null or
 * empty when unset) and in this order; add keys, never rename or remove them. Times are
 * RFC 3339 in UTC, durations are spelled like the flags ("24h"). {@code service get|list} and
 * {@code identity get|list} print {@link io.adit.cli.declarative.Manifest} instead, the shape
 * {@code aditctl apply} reads back, with these records as its status.
 */
public final class Views {
  private Views() {}

  public record ServiceView(
      String name, String mode, String accept, List<String> connect, String to,
      List<String> nodes, boolean allNodes, String verify, List<String> allow,
      String serverName, String identity, String certTtl, List<String> dnsNames, List<String> ips,
      String trustCa, String tlsMinVersion, String handshakeTimeout, String connectTimeout,
      String idleTimeout, Integer maxConnections, String proxyProtocol, String failover, List<String> ciphers,
      List<String> ciphersuites, List<String> curves, long version,
      String createTime, String updateTime, String updatedBy, List<String> warnings,
      List<NodeStatusView> status) {

    public static ServiceView of(Service s) {
      ServiceSpec spec = s.getSpec();
      return new ServiceView(spec.getName(), modeName(spec.getMode()), spec.getAccept(),
          List.copyOf(spec.getConnectList()), blankToNull(spec.getTo()),
          List.copyOf(spec.getNodesList()), spec.getAllNodes(), verifyName(spec.getVerify()),
          List.copyOf(spec.getAllowList()), blankToNull(spec.getServerName()),
          blankToNull(spec.getIdentity()), ttl(spec.getCertTtlSeconds()),
          List.copyOf(spec.getDnsNamesList()), List.copyOf(spec.getIpAddressesList()),
          blankToNull(spec.getTrustCaPem()), blankToNull(spec.getTlsMinVersion()),
          ttl(spec.getHandshakeTimeoutSeconds()), ttl(spec.getConnectTimeoutSeconds()),
          ttl(spec.getIdleTimeoutSeconds()), spec.getMaxConnections() == 0 ? null : spec.getMaxConnections(),
          blankToNull(spec.getProxyProtocol()), blankToNull(spec.getFailover()),
          List.copyOf(spec.getTlsCiphersList()), List.copyOf(spec.getTlsCiphersuitesList()),
          List.copyOf(spec.getTlsCurvesList()),
          s.getVersion(),
          Human.time(s.getCreateTime()), Human.time(s.getUpdateTime()),
          blankToNull(s.getUpdatedBy()), List.copyOf(s.getWarningsList()),
          s.getNodeStatusList().stream().map(NodeStatusView::of).toList());
    }
  }

  /** The output-only {@code status} of {@code service get -o yaml|json}, beside the spec. */
  public record ServiceStatusView(
      long version, String createTime, String updateTime, String updatedBy, List<String> warnings,
      List<NodeStatusView> nodes) {

    public static ServiceStatusView of(Service s) {
      return new ServiceStatusView(s.getVersion(), Human.time(s.getCreateTime()), Human.time(s.getUpdateTime()),
          blankToNull(s.getUpdatedBy()), List.copyOf(s.getWarningsList()),
          s.getNodeStatusList().stream().map(NodeStatusView::of).toList());
    }
  }

  /** The output-only {@code status} of {@code identity get -o yaml|json}. */
  public record IdentityStatusView(
      long version, boolean revoked, String createTime, String createdBy, String revokeTime, String revokedBy,
      String lastSerial, String lastNotAfter) {

    public static IdentityStatusView of(Identity i) {
      return new IdentityStatusView(i.getVersion(), i.getRevoked(), Human.time(i.getCreateTime()),
          blankToNull(i.getCreatedBy()), Human.time(i.getRevokeTime()), blankToNull(i.getRevokedBy()),
          blankToNull(i.getLastSerial()), Human.time(i.getLastNotAfter()));
    }
  }

  public record NodeStatusView(
      String node, String state, String error, String certSerial, String certNotAfter,
      long activeConnections, long bytesIn, long bytesOut, String lastFailure, String updateTime) {

    static NodeStatusView of(NodeServiceStatus n) {
      return new NodeStatusView(n.getNode(), n.getState(), blankToNull(n.getError()),
          blankToNull(n.getCertSerial()), Human.time(n.getCertNotAfter()), n.getActiveConnections(),
          n.getBytesIn(), n.getBytesOut(), blankToNull(n.getLastFailure()), Human.time(n.getUpdateTime()));
    }
  }

  public record IdentityView(
      String name, boolean revoked, String createTime, String createdBy, String revokeTime,
      String revokedBy, long version, String lastSerial, String lastNotAfter) {

    public static IdentityView of(Identity i) {
      return new IdentityView(i.getName(), i.getRevoked(), Human.time(i.getCreateTime()),
          blankToNull(i.getCreatedBy()), Human.time(i.getRevokeTime()), blankToNull(i.getRevokedBy()),
          i.getVersion(), blankToNull(i.getLastSerial()), Human.time(i.getLastNotAfter()));
    }
  }

  public record NodeView(
      String name, boolean ready, String lastHeartbeat, String address, String joinTime, String tokenId) {

    public static NodeView of(Node n) {
      return new NodeView(n.getName(), n.getReady(), Human.time(n.getLastHeartbeat()),
          blankToNull(n.getAdvertiseAddress()), Human.time(n.getJoinTime()), blankToNull(n.getTokenId()));
    }
  }

  public record RevocationView(
      String serial, String kind, String name, String revokeTime, String revokedBy, String notAfter, String reason) {

    public static RevocationView of(Revocation r) {
      return new RevocationView(r.getSerial(), kindName(r.getKind()), blankToNull(r.getName()),
          Human.time(r.getRevokeTime()), blankToNull(r.getRevokedBy()), Human.time(r.getNotAfter()),
          blankToNull(r.getReason()));
    }
  }

  /** "client", "service", …; null when the controller did not know the certificate. */
  public static String kindName(Kind k) {
    return switch (k) {
      case KIND_ADMIN -> "admin";
      case KIND_NODE -> "node";
      case KIND_SERVICE -> "service";
      case KIND_CLIENT -> "client";
      case KIND_CONTROLLER -> "controller";
      default -> null;
    };
  }

  public record AuditView(String time, String actor, String action, String target, String detail) {
    public static AuditView of(AuditEvent e) {
      return new AuditView(Human.time(e.getTime()), e.getActor(), e.getAction(), blankToNull(e.getTarget()),
          blankToNull(e.getDetail()));
    }
  }

  public record TokenInfoView(
      String id, String createTime, String createdBy, String expireTime, String usedTime, String usedBy,
      String revokeTime, String revokedBy) {

    public static TokenInfoView of(JoinTokenInfo t) {
      return new TokenInfoView(t.getId(), Human.time(t.getCreateTime()), blankToNull(t.getCreatedBy()),
          Human.time(t.getExpireTime()), Human.time(t.getUsedTime()), blankToNull(t.getUsedBy()),
          Human.time(t.getRevokeTime()), blankToNull(t.getRevokedBy()));
    }
  }

  public record JoinTokenView(String token, String id, String expireTime) {
    public static JoinTokenView of(JoinToken t) {
      return new JoinTokenView(t.getToken(), t.getId(), Human.time(t.getExpireTime()));
    }
  }

  public record TrustBundleView(String trustDomain, List<String> caHashes, String pem) {
    public static TrustBundleView of(TrustBundle b) {
      return new TrustBundleView(b.getTrustDomain(), List.copyOf(b.getCaHashesList()), b.getPem());
    }
  }

  /** {@code ca list -o json}: one CA and what it waits for. */
  public record CaView(String id, String state, String subject, String notAfter, String createTime, String stateTime,
      List<String> waitingForNodes, String earliestActivation, String retireTime, String lastCertificate,
      boolean imported) {
    public static CaView of(io.adit.api.v1.CertificateAuthority c) {
      return new CaView(c.getId(), c.getState(), c.getSubject(), Human.time(c.getNotAfter()), Human.time(c.getCreateTime()),
          Human.time(c.getStateTime()), List.copyOf(c.getWaitingForNodesList()), Human.time(c.getEarliestActivation()),
          Human.time(c.getRetireTime()), blankToNull(c.getLastCertificate()), c.getImported());
    }
  }

  /** {@code ca crl -o json}: the CRL and what it says. */
  public record CrlView(long crlNumber, String thisUpdate, String nextUpdate, int revokedCount, String pem) {
    public static CrlView of(Crl c) {
      return new CrlView(c.getCrlNumber(), Human.time(c.getThisUpdate()), Human.time(c.getNextUpdate()),
          c.getRevokedCount(), c.getPem());
    }
  }

  /** {@code apply} and {@code diff} with -o json|yaml: what was (or would be) done, object by object. */
  public record ApplyView(boolean dryRun, int batches, int batchSize, List<ApplyResultView> results) {
    public static ApplyView of(ApplyResponse r, boolean dryRun) {
      return new ApplyView(dryRun, r.getBatches(), r.getBatchSize(), r.getResultsList().stream().map(ApplyResultView::of).toList());
    }
  }

  /**
   * One object: action is created, updated or unchanged; changes are the spec's fields as the
   * file spells them; relays what each node does; batch which transaction wrote it (0: none).
   */
  public record ApplyResultView(
      String kind, String name, String source, String action, List<FieldDiff.Change> changes,
      List<RelayView> relays, long version, int batch, List<String> warnings) {

    static ApplyResultView of(ApplyResult r) {
      String action = switch (r.getAction()) {
        case APPLY_ACTION_CREATED -> "created";
        case APPLY_ACTION_UPDATED -> "updated";
        default -> "unchanged";
      };
      return new ApplyResultView(r.getKind(), r.getName(), r.getSource(), action,
          r.getAction() == ApplyAction.APPLY_ACTION_UPDATED ? FieldDiff.of(r.getBefore(), r.getAfter()) : List.of(),
          r.getRelaysList().stream().map(c -> new RelayView(c.getNode(), c.getService(), c.getAction(), c.getReason())).toList(),
          r.getVersion(), r.getBatch(), List.copyOf(r.getWarningsList()));
    }
  }

  public record RelayView(String node, String service, String action, String reason) {}

  /** What {@code identity issue} wrote. Paths are as the user gave {@code --out}. */
  public record IssuedView(String name, String key, String cert, String ca, String serial, String notAfter) {}

  /** "server" or "client"; the controller stores server when the mode is unset. */
  public static String modeName(Mode m) {
    return m == Mode.MODE_CLIENT ? "client" : "server";
  }

  /** "none", "optional" or "require"; the controller stores require when unset. */
  public static String verifyName(Verify v) {
    return switch (v) {
      case VERIFY_NONE -> "none";
      case VERIFY_OPTIONAL -> "optional";
      default -> "require";
    };
  }

  /** "24h", or null for the controller's default. */
  public static String ttl(long seconds) {
    return seconds <= 0 ? null : Durations.format(Duration.ofSeconds(seconds));
  }

  static String blankToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
