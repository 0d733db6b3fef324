package io.adit.controller.api;

import io.adit.api.v1.CreateJoinTokenRequest;
import io.adit.api.v1.DeleteNodeRequest;
import io.adit.api.v1.DeleteNodeResponse;
import io.adit.api.v1.EtcdCredential;
import io.adit.api.v1.GetEtcdCredentialRequest;
import io.adit.api.v1.JoinRequest;
import io.adit.api.v1.JoinResponse;
import io.adit.api.v1.JoinToken;
import io.adit.api.v1.JoinTokenInfo;
import io.adit.api.v1.Kind;
import io.adit.api.v1.ListJoinTokensRequest;
import io.adit.api.v1.ListJoinTokensResponse;
import io.adit.api.v1.ListNodesRequest;
import io.adit.api.v1.ListNodesResponse;
import io.adit.api.v1.NodeServiceGrpc;
import io.adit.api.v1.RevokeJoinTokenRequest;
import io.adit.api.v1.Service;
import io.adit.common.pki.Keys;
import io.adit.common.pki.Pem;
import io.adit.common.pki.SpiffeId;
import io.adit.common.validation.InvalidInputException;
import io.adit.controller.audit.Audit;
import io.adit.controller.auth.Caller;
import io.adit.controller.ca.ClusterAuthority;
import io.adit.controller.issuance.Issuer;
import io.adit.controller.node.NodeManager;
import io.adit.controller.errors.NotFoundException;
import io.adit.controller.errors.PermissionDeniedException;
import io.adit.controller.revocation.RevocationManager;
import io.adit.controller.store.NodeAccess;
import io.adit.controller.tunnel.TunnelManager;
import io.grpc.stub.StreamObserver;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** NodeService: joining with a token, the node list, and join tokens. */
public final class NodeApi extends NodeServiceGrpc.NodeServiceImplBase {
  private static final Logger log = LoggerFactory.getLogger(NodeApi.class);
  private final NodeManager nodes;
  private final ClusterAuthority authority;
  private final Issuer issuer;
  private final List<String> etcdEndpoints;

  private final TunnelManager tunnels;
  private final RevocationManager revocations;
  private final NodeAccess nodeAccess;

  public NodeApi(NodeManager nodes, ClusterAuthority authority, Issuer issuer, List<String> etcdEndpoints,
      TunnelManager tunnels, RevocationManager revocations, NodeAccess nodeAccess) {
    this.nodeAccess = nodeAccess;
    this.tunnels = tunnels;
    this.revocations = revocations;
    this.nodes = nodes;
    this.authority = authority;
    this.issuer = issuer;
    this.etcdEndpoints = List.copyOf(etcdEndpoints);
  }

  @Override
  public void join(JoinRequest req, StreamObserver<JoinResponse> obs) {
    String tokenId = req.getToken().split("\\.", 2)[0];
    Errors.unary(obs, "Join", () -> Audit.of("join token " + tokenId, "node.join", req.getNodeName(), () -> {
      Pem.csr(req.getCsrPem()); // a malformed CSR is refused before the token is looked at
      AtomicReference<X509Certificate> cert = new AtomicReference<>();
      boolean sameNode = provesSameNode(req);
      nodes.join(req.getToken(), req.getNodeName(), req.getAdvertiseAddress(), authority.bundleHashes(), sameNode, name -> {
        cert.set(issuer.issueTrusted(req.getCsrPem(), SpiffeId.Kind.NODE, name, issuer.ttlPolicy().resolve(Duration.ZERO),
            "a node joining with token " + req.getToken().split("\\.", 2)[0]));
        return Keys.serialHex(cert.get());
      });
      return JoinResponse.newBuilder()
          .setCertificatePem(Pem.encode(cert.get()))
          .setTrustBundlePem(authority.bundlePem())
          .setTrustDomain(authority.trustDomain())
          .addAllEtcdEndpoints(etcdEndpoints)
          .build();
    }));
  }

  /**
   * Whether a re-joining node proved it held the name: its previous certificate is this
   * cluster's, names this node, and is for the key of the CSR (whose signature proves
   * possession). Expiry is the reason it re-joins, so it is not checked.
   */
  private boolean provesSameNode(JoinRequest req) {
    if (req.getPreviousCertificatePem().isEmpty()) {
      return false;
    }
    X509Certificate previous = Pem.certificate(req.getPreviousCertificatePem());
    boolean fromThisCa = authority.bundle().stream().anyMatch(ca -> {
      try {
        previous.verify(ca.getPublicKey());
        return true;
      } catch (java.security.GeneralSecurityException e) {
        return false;
      }
    });
    SpiffeId expected = new SpiffeId(authority.trustDomain(), SpiffeId.Kind.NODE, req.getNodeName());
    boolean sameKey;
    try {
      sameKey = new org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter()
          .getPublicKey(Pem.csr(req.getCsrPem()).getSubjectPublicKeyInfo()).equals(previous.getPublicKey());
    } catch (org.bouncycastle.openssl.PEMException e) {
      sameKey = false;
    }
    if (!fromThisCa || !SpiffeId.of(previous).equals(java.util.Optional.of(expected)) || !sameKey) {
      throw new io.adit.controller.errors.PermissionDeniedException("the previous certificate does not prove that this is node "
          + req.getNodeName() + " (it must be this cluster's node certificate for the same key as the request)");
    }
    return true;
  }

  @Override
  public void listNodes(ListNodesRequest req, StreamObserver<ListNodesResponse> obs) {
    Errors.unary(obs, "ListNodes", () -> ListNodesResponse.newBuilder().addAllNodes(nodes.list()).build());
  }

  @Override
  public void createJoinToken(CreateJoinTokenRequest req, StreamObserver<JoinToken> obs) {
    Errors.audited(obs, "CreateJoinToken", "token.create", "", () -> {
      if (req.getTtlSeconds() < 0) {
        throw new InvalidInputException("--ttl must be positive");
      }
      String caHash = Keys.spkiHash(authority.active().certificate());
      return nodes.createToken(Duration.ofSeconds(req.getTtlSeconds()), caHash, Caller.current().describe());
    });
  }

  @Override
  public void deleteNode(DeleteNodeRequest req, StreamObserver<DeleteNodeResponse> obs) {
    Errors.audited(obs, "DeleteNode", "node.delete", req.getName(), () -> {
      String caller = Caller.current().describe();
      DeleteNodeResponse deleted = nodes.delete(req.getName(), tunnels.list().stream().map(Service::getSpec).toList(),
          name -> {
            List<String> serials = revocations.revokeAll(Kind.KIND_NODE, name, caller, "node " + name + " deleted");
            // Before the records go, so that a failure here leaves a node that can be deleted again.
            nodeAccess.revoke(name);
            return serials;
          });
      // Once more after: a GetEtcdCredential that passed its checks before the delete may have
      // made the user again in between (it checks afterwards too, see getEtcdCredential). The
      // node is gone by now, so a failure here is only logged.
      try {
        nodeAccess.revoke(req.getName());
      } catch (RuntimeException e) {
        log.warn("node {} is deleted, but checking that its etcd user is gone failed: {}", req.getName(), e.getMessage());
      }
      return deleted;
    });
  }

  /**
   * The calling node's etcd user with a new password (its certificate is unrevoked, or the call
   * would not get here). The node must still be registered after the user is made: otherwise a
   * delete ran meanwhile, and the user goes again.
   */
  @Override
  public void getEtcdCredential(GetEtcdCredentialRequest req, StreamObserver<EtcdCredential> obs) {
    Errors.unary(obs, "GetEtcdCredential", () -> {
      String node = Caller.current().id().filter(id -> id.kind() == SpiffeId.Kind.NODE).map(SpiffeId::name)
          .orElseThrow(() -> new PermissionDeniedException("only a node gets an etcd credential, its own: call with the"
              + " node's certificate"));
      Optional<NodeAccess.Credential> credential = nodeAccess.grant(node);
      if (credential.isEmpty()) {
        return EtcdCredential.getDefaultInstance();
      }
      if (!nodes.exists(node)) {
        nodeAccess.revoke(node);
        throw notRegistered(node);
      }
      return EtcdCredential.newBuilder().setUser(credential.get().user()).setPassword(credential.get().password()).build();
    });
  }

  private static NotFoundException notRegistered(String node) {
    return new NotFoundException("node " + node + " is not registered any more (it was deleted): join it again with a"
        + " new token, under a new data dir");
  }

  @Override
  public void listJoinTokens(ListJoinTokensRequest req, StreamObserver<ListJoinTokensResponse> obs) {
    Errors.unary(obs, "ListJoinTokens", () -> ListJoinTokensResponse.newBuilder().addAllTokens(nodes.tokens()).build());
  }

  @Override
  public void revokeJoinToken(RevokeJoinTokenRequest req, StreamObserver<JoinTokenInfo> obs) {
    Errors.audited(obs, "RevokeJoinToken", "token.revoke", req.getId(), () -> nodes.revokeToken(req.getId(), Caller.current().describe()));
  }
}
