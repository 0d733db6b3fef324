package io.adit.controller.api;

import io.adit.api.v1.ApplyRequest;
import io.adit.api.v1.ApplyResponse;
import io.adit.api.v1.CreateServiceRequest;
import io.adit.api.v1.DeleteServiceRequest;
import io.adit.api.v1.DeleteServiceResponse;
import io.adit.api.v1.GetServiceRequest;
import io.adit.api.v1.ListServicesRequest;
import io.adit.api.v1.ListServicesResponse;
import io.adit.api.v1.Service;
import io.adit.api.v1.TunnelServiceGrpc;
import io.adit.api.v1.UpdateServiceRequest;
import io.adit.common.validation.Names;
import io.adit.controller.apply.Applier;
import io.adit.controller.auth.Caller;
import io.adit.controller.tunnel.TunnelManager;
import io.grpc.stub.StreamObserver;

/** TunnelService: services (tunnel specs). Roles are checked by the interceptor. */
public final class TunnelApi extends TunnelServiceGrpc.TunnelServiceImplBase {
  private final TunnelManager tunnels;
  private final Applier applier;

  public TunnelApi(TunnelManager tunnels, Applier applier) {
    this.tunnels = tunnels;
    this.applier = applier;
  }

  @Override
  public void createService(CreateServiceRequest req, StreamObserver<Service> obs) {
    Errors.audited(obs, "CreateService", "service.create", req.getSpec().getName(), () -> tunnels.create(req.getSpec(), req.getDryRun(), Caller.current().describe()));
  }

  @Override
  public void updateService(UpdateServiceRequest req, StreamObserver<Service> obs) {
    Errors.audited(obs, "UpdateService", "service.update", req.getSpec().getName(), () -> tunnels.update(req.getSpec(), req.getExpectedVersion(), req.getDryRun(),
        Caller.current().describe()));
  }

  @Override
  public void getService(GetServiceRequest req, StreamObserver<Service> obs) {
    Errors.unary(obs, "GetService", () -> tunnels.get(Names.requireDnsLabel("service name", req.getName())));
  }

  @Override
  public void listServices(ListServicesRequest req, StreamObserver<ListServicesResponse> obs) {
    Errors.unary(obs, "ListServices", () -> ListServicesResponse.newBuilder().addAllServices(tunnels.list()).build());
  }

  @Override
  public void deleteService(DeleteServiceRequest req, StreamObserver<DeleteServiceResponse> obs) {
    Errors.audited(obs, "DeleteService", "service.delete", req.getName(), () -> DeleteServiceResponse.newBuilder()
        .setService(tunnels.delete(Names.requireDnsLabel("service name", req.getName()), req.getExpectedVersion(), req.getDryRun()))
        .build());
  }

  /** Audited by the applier itself: one record per object written, in the same transaction. */
  @Override
  public void apply(ApplyRequest req, StreamObserver<ApplyResponse> obs) {
    Errors.unary(obs, "Apply", () -> applier.apply(req.getObjectsList(), req.getDryRun(), Caller.current().describe()));
  }
}
