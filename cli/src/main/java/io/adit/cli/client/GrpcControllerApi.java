package io.adit.cli.client;

import io.adit.api.v1.ApplyRequest;
import io.adit.api.v1.ApplyResponse;
import io.adit.api.v1.AuditEvent;
import io.adit.api.v1.AuditServiceGrpc;
import io.adit.api.v1.CertificateServiceGrpc;
import io.adit.api.v1.CreateIdentityRequest;
import io.adit.api.v1.CreateJoinTokenRequest;
import io.adit.api.v1.CreateServiceRequest;
import io.adit.api.v1.Crl;
import io.adit.api.v1.DeleteNodeRequest;
import io.adit.api.v1.DeleteNodeResponse;
import io.adit.api.v1.DeleteServiceRequest;
import io.adit.api.v1.GetCrlRequest;
import io.adit.api.v1.GetIdentityRequest;
import io.adit.api.v1.GetServiceRequest;
import io.adit.api.v1.GetTrustBundleRequest;
import io.adit.api.v1.Identity;
import io.adit.api.v1.IdentityServiceGrpc;
import io.adit.api.v1.JoinToken;
import io.adit.api.v1.JoinTokenInfo;
import io.adit.api.v1.ListAuditRequest;
import io.adit.api.v1.ListIdentitiesRequest;
import io.adit.api.v1.ListJoinTokensRequest;
import io.adit.api.v1.ListNodesRequest;
import io.adit.api.v1.ListRevocationsRequest;
import io.adit.api.v1.ListServicesRequest;
import io.adit.api.v1.Node;
import io.adit.api.v1.NodeServiceGrpc;
import io.adit.api.v1.Revocation;
import io.adit.api.v1.RevokeCertificateRequest;
import io.adit.api.v1.RevokeIdentityRequest;
import io.adit.api.v1.RevokeJoinTokenRequest;
import io.adit.api.v1.Service;
import io.adit.api.v1.SignCertificateRequest;
import io.adit.api.v1.SignCertificateResponse;
import io.adit.api.v1.TrustBundle;
import io.adit.api.v1.TunnelServiceGrpc;
import io.adit.api.v1.UpdateServiceRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.stub.AbstractStub;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@link ControllerApi} over a gRPC channel; each call gets the {@code --timeout} deadline. */
final class GrpcControllerApi implements ControllerApi {
  private final ManagedChannel channel;
  private final EventLoopGroup loop;
  private final Duration timeout;
  private final Target target;

  GrpcControllerApi(ManagedChannel channel, EventLoopGroup loop, Duration timeout, Target target) {
    this.channel = channel;
    this.loop = loop;
    this.timeout = timeout;
    this.target = target;
  }

  @Override
  public Target target() {
    return target;
  }

  /** The deadline starts when the call is made, not when the stub was created. */
  private <S extends AbstractStub<S>> S deadline(S stub) {
    return stub.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  private TunnelServiceGrpc.TunnelServiceBlockingStub tunnels() {
    return deadline(TunnelServiceGrpc.newBlockingStub(channel));
  }

  private IdentityServiceGrpc.IdentityServiceBlockingStub identities() {
    return deadline(IdentityServiceGrpc.newBlockingStub(channel));
  }

  private CertificateServiceGrpc.CertificateServiceBlockingStub certificates() {
    return deadline(CertificateServiceGrpc.newBlockingStub(channel));
  }

  private NodeServiceGrpc.NodeServiceBlockingStub nodes() {
    return deadline(NodeServiceGrpc.newBlockingStub(channel));
  }

  @Override
  public Service createService(CreateServiceRequest request) {
    return tunnels().createService(request);
  }

  @Override
  public Service updateService(UpdateServiceRequest request) {
    return tunnels().updateService(request);
  }

  @Override
  public Service getService(String name) {
    return tunnels().getService(GetServiceRequest.newBuilder().setName(name).build());
  }

  @Override
  public List<Service> listServices() {
    return tunnels().listServices(ListServicesRequest.getDefaultInstance()).getServicesList();
  }

  @Override
  public Service deleteService(String name, boolean dryRun) {
    return tunnels().deleteService(DeleteServiceRequest.newBuilder().setName(name).setDryRun(dryRun).build())
        .getService();
  }

  @Override
  public Identity createIdentity(String name, boolean dryRun) {
    return identities().createIdentity(CreateIdentityRequest.newBuilder().setName(name).setDryRun(dryRun).build());
  }

  @Override
  public ApplyResponse apply(ApplyRequest request) {
    return tunnels().apply(request);
  }

  @Override
  public Identity getIdentity(String name) {
    return identities().getIdentity(GetIdentityRequest.newBuilder().setName(name).build());
  }

  @Override
  public List<Identity> listIdentities() {
    return identities().listIdentities(ListIdentitiesRequest.getDefaultInstance()).getIdentitiesList();
  }

  @Override
  public Identity revokeIdentity(String name) {
    return identities().revokeIdentity(RevokeIdentityRequest.newBuilder().setName(name).build());
  }

  @Override
  public Revocation revokeCertificate(String serial, String reason) {
    return certificates().revokeCertificate(RevokeCertificateRequest.newBuilder().setSerial(serial).setReason(reason).build());
  }

  @Override
  public List<Revocation> listRevocations() {
    return certificates().listRevocations(ListRevocationsRequest.getDefaultInstance()).getRevocationsList();
  }

  @Override
  public SignCertificateResponse signCertificate(SignCertificateRequest request) {
    return certificates().signCertificate(request);
  }

  @Override
  public TrustBundle getTrustBundle() {
    return certificates().getTrustBundle(GetTrustBundleRequest.getDefaultInstance());
  }

  @Override
  public Crl getCrl() {
    return certificates().getCrl(GetCrlRequest.getDefaultInstance());
  }

  @Override
  public io.adit.api.v1.RotateCaResponse rotateCa() {
    return certificates().rotateCa(io.adit.api.v1.RotateCaRequest.getDefaultInstance());
  }

  @Override
  public io.adit.api.v1.ListCasResponse listCas() {
    return certificates().listCas(io.adit.api.v1.ListCasRequest.getDefaultInstance());
  }

  @Override
  public Crl getCrl(GetCrlRequest request) {
    return certificates().getCrl(request);
  }

  @Override
  public List<Node> listNodes() {
    return nodes().listNodes(ListNodesRequest.getDefaultInstance()).getNodesList();
  }

  @Override
  public JoinToken createJoinToken(long ttlSeconds) {
    return nodes().createJoinToken(CreateJoinTokenRequest.newBuilder().setTtlSeconds(ttlSeconds).build());
  }

  @Override
  public List<AuditEvent> listAudit(java.time.Instant since, String action) {
    ListAuditRequest.Builder req = ListAuditRequest.newBuilder().setAction(action);
    if (since != null) {
      req.setSince(com.google.protobuf.Timestamp.newBuilder().setSeconds(since.getEpochSecond()).setNanos(since.getNano()));
    }
    return deadline(AuditServiceGrpc.newBlockingStub(channel)).listAudit(req.build()).getEventsList();
  }

  @Override
  public DeleteNodeResponse deleteNode(String name) {
    return nodes().deleteNode(DeleteNodeRequest.newBuilder().setName(name).build());
  }

  @Override
  public List<JoinTokenInfo> listJoinTokens() {
    return nodes().listJoinTokens(ListJoinTokensRequest.getDefaultInstance()).getTokensList();
  }

  @Override
  public JoinTokenInfo revokeJoinToken(String id) {
    return nodes().revokeJoinToken(RevokeJoinTokenRequest.newBuilder().setId(id).build());
  }

  /** Closes at once: a CLI has nothing in flight to wait for once its command returned. */
  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
