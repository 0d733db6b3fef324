package io.adit.controller.auth;

import io.adit.api.v1.AuditServiceGrpc;
import io.adit.api.v1.CertificateServiceGrpc;
import io.adit.api.v1.IdentityServiceGrpc;
import io.adit.api.v1.NodeServiceGrpc;
import io.adit.api.v1.TunnelServiceGrpc;
import io.adit.common.pki.SpiffeId.Kind;
import io.grpc.MethodDescriptor;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which roles may call which RPC. The first gate, checked for every call before it reaches a
 * service; finer rules (a node may only get certificates for what is placed on it) are checked
 * by the service itself. A method missing from the table is refused to everyone, so a new RPC
 * is closed until someone decides who may call it.
 */
public final class AccessPolicy {
  /** The call needs no certificate (the caller proves itself some other way). */
  static final Set<Kind> ANYONE = EnumSet.noneOf(Kind.class);

  private final Map<String, Set<Kind>> allowed = new HashMap<>();

  public static AccessPolicy standard() {
    AccessPolicy p = new AccessPolicy();
    Set<Kind> admin = EnumSet.of(Kind.ADMIN);
    Set<Kind> adminOrNode = EnumSet.of(Kind.ADMIN, Kind.NODE);
    p.allow(TunnelServiceGrpc.getCreateServiceMethod(), admin);
    p.allow(TunnelServiceGrpc.getUpdateServiceMethod(), admin);
    p.allow(TunnelServiceGrpc.getDeleteServiceMethod(), admin);
    p.allow(TunnelServiceGrpc.getGetServiceMethod(), adminOrNode);
    p.allow(TunnelServiceGrpc.getListServicesMethod(), adminOrNode);
    p.allow(IdentityServiceGrpc.getCreateIdentityMethod(), admin);
    p.allow(IdentityServiceGrpc.getGetIdentityMethod(), admin);
    p.allow(IdentityServiceGrpc.getListIdentitiesMethod(), admin);
    p.allow(IdentityServiceGrpc.getRevokeIdentityMethod(), admin);
    p.allow(CertificateServiceGrpc.getSignCertificateMethod(), adminOrNode);
    p.allow(CertificateServiceGrpc.getGetTrustBundleMethod(), adminOrNode);
    p.allow(CertificateServiceGrpc.getRevokeCertificateMethod(), admin);
    p.allow(CertificateServiceGrpc.getListRevocationsMethod(), admin);
    p.allow(CertificateServiceGrpc.getGetCrlMethod(), adminOrNode);
    p.allow(CertificateServiceGrpc.getRotateCaMethod(), admin);
    p.allow(CertificateServiceGrpc.getListCasMethod(), admin);
    p.allow(NodeServiceGrpc.getJoinMethod(), ANYONE);
    p.allow(AuditServiceGrpc.getListAuditMethod(), admin);
    p.allow(NodeServiceGrpc.getListNodesMethod(), admin);
    p.allow(NodeServiceGrpc.getCreateJoinTokenMethod(), admin);
    p.allow(NodeServiceGrpc.getDeleteNodeMethod(), admin);
    p.allow(NodeServiceGrpc.getListJoinTokensMethod(), admin);
    p.allow(NodeServiceGrpc.getRevokeJoinTokenMethod(), admin);
    // Nodes only, for themselves (the service refuses an admin: it has no etcd user to get).
    p.allow(NodeServiceGrpc.getGetEtcdCredentialMethod(), adminOrNode);
    p.allow(TunnelServiceGrpc.getApplyMethod(), admin);
    return p;
  }

  private void allow(MethodDescriptor<?, ?> method, Set<Kind> kinds) {
    allowed.put(method.getFullMethodName(), kinds);
  }

  /** Whether the method needs no client certificate at all. */
  public boolean isOpen(String fullMethodName) {
    return allowed.get(fullMethodName) == ANYONE;
  }

  /** Whether a verified caller of this kind may call the method. */
  public boolean permits(String fullMethodName, Kind kind) {
    Set<Kind> kinds = allowed.get(fullMethodName);
    return kinds != null && kinds != ANYONE && kinds.contains(kind);
  }

  /** Every method the policy knows, for tests that check every RPC has an entry. */
  public Set<String> methods() {
    return Set.copyOf(allowed.keySet());
  }
}
