package io.adit.controller.issuance;

import io.adit.api.v1.Mode;
import io.adit.api.v1.Kind;
import io.adit.api.v1.ServiceSpec;
import io.adit.common.pki.Keys;
import io.adit.common.pki.Pem;
import io.adit.common.pki.SpiffeId;
import io.adit.common.validation.Names;
import io.adit.controller.auth.Caller;
import io.adit.controller.ca.CertificateSigner;
import io.adit.controller.ca.ClusterAuthority;
import io.adit.controller.ca.TtlPolicy;
import io.adit.controller.errors.PermissionDeniedException;
import io.adit.controller.audit.Audit;
import io.adit.controller.identity.IdentityManager;
import io.adit.controller.revocation.RevocationManager;
import io.adit.controller.tunnel.TunnelManager;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides who gets which certificate, then has the CA sign it. Admins get client and admin
 * certificates; a node gets its own node certificate and those of the services and client
 * identities placed on it; nobody else gets anything.
 */
public final class Issuer {
  private static final Logger log = LoggerFactory.getLogger(Issuer.class);

  private final ClusterAuthority authority;
  private final TtlPolicy ttl;
  private final TunnelManager tunnels;
  private final IdentityManager identities;
  private final RevocationManager revocations;
  private final java.util.function.Consumer<SpiffeId.Kind> issued;

  public Issuer(ClusterAuthority authority, TtlPolicy ttl, TunnelManager tunnels, IdentityManager identities,
      RevocationManager revocations) {
    this(authority, ttl, tunnels, identities, revocations, kind -> { });
  }

  /** @param issued told of every certificate signed, by kind (the metrics) */
  public Issuer(ClusterAuthority authority, TtlPolicy ttl, TunnelManager tunnels, IdentityManager identities,
      RevocationManager revocations, java.util.function.Consumer<SpiffeId.Kind> issued) {
    this.issued = issued;
    this.revocations = revocations;
    this.authority = authority;
    this.ttl = ttl;
    this.tunnels = tunnels;
    this.identities = identities;
  }

  /** Signs a CSR for {@code kind}/{@code name} if {@code caller} may have it. */
  public X509Certificate issue(Caller caller, String csrPem, SpiffeId.Kind kind, String name, Duration requestedTtl) {
    Names.requireDnsLabel("name", name);
    var csr = Pem.csr(csrPem);
    Duration requested = requestedTtl;
    List<String> dnsNames = List.of();
    List<String> ips = List.of();
    switch (kind) {
      case CLIENT -> {
        if (!caller.isAdmin() && !placedIdentity(caller, name)) {
          throw denied(caller, "a certificate for client identity " + name
              + (caller.is(SpiffeId.Kind.NODE) ? ": no client-mode service placed on this node uses that identity" : ""));
        }
        identities.requireIssuable(name);
      }
      case SERVICE -> {
        ServiceSpec spec = placedService(caller, name).orElseThrow(() -> denied(caller,
            "a certificate for service " + name + (caller.is(SpiffeId.Kind.NODE) ? ": the service is not placed on this node" : "")));
        dnsNames = new ArrayList<>(List.of(name));
        dnsNames.addAll(spec.getDnsNamesList());
        ips = spec.getIpAddressesList();
        if (requested.isZero() && spec.getCertTtlSeconds() > 0) {
          requested = Duration.ofSeconds(spec.getCertTtlSeconds());
        }
      }
      case NODE -> {
        if (!caller.isNode(name)) {
          throw denied(caller, "a certificate for node " + name);
        }
      }
      case ADMIN -> {
        if (!caller.isAdmin()) {
          throw denied(caller, "an admin certificate");
        }
      }
      default -> throw denied(caller, "a " + kind.segment() + " certificate");
    }
    return sign(csr, kind, name, dnsNames, ips, ttl.resolve(requested), caller.describe());
  }

  /**
   * Signs for a requester the controller has vetted itself: its own bootstrap (admin.conf) or a
   * node whose join token was accepted.
   */
  public X509Certificate issueTrusted(String csrPem, SpiffeId.Kind kind, String name, Duration lifetime, String requester) {
    return sign(Pem.csr(csrPem), kind, name, List.of(), List.of(), lifetime, requester);
  }

  /**
   * The controller's own serving certificate, with the names clients dial it by: the chain, leaf
   * first, then the CA that signed it.
   */
  public X509Certificate[] issueServing(String csrPem, SpiffeId id, List<String> dnsNames, List<String> ips,
      Duration lifetime) {
    CertificateSigner signer = authority.signer();
    X509Certificate leaf = signer.sign(Pem.csr(csrPem), new CertificateSigner.LeafRequest(id, dnsNames, ips, lifetime));
    issued.accept(id.kind());
    return new X509Certificate[] {leaf, signer.caCertificate()};
  }

  public TtlPolicy ttlPolicy() {
    return ttl;
  }

  private X509Certificate sign(org.bouncycastle.pkcs.PKCS10CertificationRequest csr, SpiffeId.Kind kind, String name,
      List<String> dnsNames, List<String> ips, Duration lifetime, String requester) {
    SpiffeId id = new SpiffeId(authority.trustDomain(), kind, name);
    CertificateSigner signer = authority.signer();
    X509Certificate cert = signer.sign(csr, new CertificateSigner.LeafRequest(id, dnsNames, ips, lifetime));
    Audit.detail("serial " + Keys.serialHex(cert) + ", valid until " + cert.getNotAfter().toInstant());
    if (kind == SpiffeId.Kind.CLIENT) {
      identities.recordIssued(name, Keys.serialHex(cert), cert.getNotAfter().toInstant());
    }
    revocations.recordIssued(Keys.serialHex(cert), kind(kind), name, cert.getNotAfter().toInstant(),
        ClusterAuthority.caId(signer.caCertificate()));
    log.info("issued {} serial {} valid until {} to {}", id, Keys.serialHex(cert), cert.getNotAfter().toInstant(), requester);
    issued.accept(kind);
    return cert;
  }

  private static Kind kind(SpiffeId.Kind kind) {
    return switch (kind) {
      case ADMIN -> Kind.KIND_ADMIN;
      case NODE -> Kind.KIND_NODE;
      case SERVICE -> Kind.KIND_SERVICE;
      case CLIENT -> Kind.KIND_CLIENT;
      case CONTROLLER -> Kind.KIND_CONTROLLER;
    };
  }

  private Optional<ServiceSpec> placedService(Caller caller, String service) {
    Optional<ServiceSpec> spec = tunnels.find(service);
    if (caller.is(SpiffeId.Kind.NODE)) {
      String node = caller.id().orElseThrow().name();
      return spec.filter(s -> s.getAllNodes() || s.getNodesList().contains(node));
    }
    return Optional.empty();
  }

  private boolean placedIdentity(Caller caller, String identity) {
    if (!caller.is(SpiffeId.Kind.NODE)) {
      return false;
    }
    String node = caller.id().orElseThrow().name();
    return tunnels.list().stream()
        .map(s -> s.getSpec())
        .anyMatch(s -> s.getMode() == Mode.MODE_CLIENT && identity.equals(s.getIdentity())
            && (s.getAllNodes() || s.getNodesList().contains(node)));
  }

  private static PermissionDeniedException denied(Caller caller, String what) {
    return new PermissionDeniedException(caller.describe() + " may not get " + what);
  }
}
