package io.adit.controller.api;

import io.adit.api.v1.CreateIdentityRequest;
import io.adit.api.v1.GetIdentityRequest;
import io.adit.api.v1.Identity;
import io.adit.api.v1.IdentityServiceGrpc;
import io.adit.api.v1.ListIdentitiesRequest;
import io.adit.api.v1.ListIdentitiesResponse;
import io.adit.api.v1.RevokeIdentityRequest;
import io.adit.common.validation.Names;
import io.adit.controller.auth.Caller;
import io.adit.controller.identity.IdentityManager;
import io.adit.controller.revocation.RevocationManager;
import io.grpc.stub.StreamObserver;

/** IdentityService: client identities. Admin only (checked by the interceptor). */
public final class IdentityApi extends IdentityServiceGrpc.IdentityServiceImplBase {
  private final IdentityManager identities;
  private final RevocationManager revocations;

  public IdentityApi(IdentityManager identities, RevocationManager revocations) {
    this.identities = identities;
    this.revocations = revocations;
  }

  @Override
  public void createIdentity(CreateIdentityRequest req, StreamObserver<Identity> obs) {
    Errors.audited(obs, "CreateIdentity", "identity.create", req.getName(), () -> identities.create(req.getName(), req.getDryRun(), Caller.current().describe()));
  }

  @Override
  public void getIdentity(GetIdentityRequest req, StreamObserver<Identity> obs) {
    Errors.unary(obs, "GetIdentity", () -> identities.get(Names.requireDnsLabel("identity name", req.getName())));
  }

  @Override
  public void listIdentities(ListIdentitiesRequest req, StreamObserver<ListIdentitiesResponse> obs) {
    Errors.unary(obs, "ListIdentities", () -> ListIdentitiesResponse.newBuilder().addAllIdentities(identities.list()).build());
  }

  @Override
  public void revokeIdentity(RevokeIdentityRequest req, StreamObserver<Identity> obs) {
    Errors.audited(obs, "RevokeIdentity", "identity.revoke", req.getName(), () -> revocations.revokeIdentity(
        Names.requireDnsLabel("identity name", req.getName()), Caller.current().describe()));
  }
}
