package io.adit.controller.api;

import io.adit.api.v1.AuditServiceGrpc;
import io.adit.api.v1.ListAuditRequest;
import io.adit.api.v1.ListAuditResponse;
import io.adit.common.proto.Timestamps;
import io.adit.controller.audit.AuditingKv;
import io.grpc.stub.StreamObserver;

/** AuditService: who changed what, when. */
public final class AuditApi extends AuditServiceGrpc.AuditServiceImplBase {
  private final AuditingKv audit;

  public AuditApi(AuditingKv audit) {
    this.audit = audit;
  }

  @Override
  public void listAudit(ListAuditRequest req, StreamObserver<ListAuditResponse> obs) {
    Errors.unary(obs, "ListAudit", () -> ListAuditResponse.newBuilder()
        .addAllEvents(audit.events(Timestamps.isSet(req.getSince()) ? Timestamps.toInstant(req.getSince()) : null,
            req.getAction().strip()))
        .build());
  }
}
