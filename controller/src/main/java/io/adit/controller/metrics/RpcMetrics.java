package io.adit.controller.metrics;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Times every call from its start to the status the server sends, tagged with the full method
 * name ({@code adit.v1.TunnelService/CreateService}) and the status code ({@code OK},
 * {@code NOT_FOUND}…). A call the client cancels before any status counts as {@code CANCELLED}.
 */
final class RpcMetrics implements ServerInterceptor {
  private final ControllerMetrics metrics;

  RpcMetrics(ControllerMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    long start = System.nanoTime();
    String method = call.getMethodDescriptor().getFullMethodName();
    AtomicBoolean recorded = new AtomicBoolean();
    ServerCall<Q, R> timed = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        if (recorded.compareAndSet(false, true)) {
          metrics.rpc(method, status.getCode().name(), System.nanoTime() - start);
        }
        super.close(status, trailers);
      }
    };
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(timed, headers)) {
      @Override
      public void onCancel() {
        if (recorded.compareAndSet(false, true)) {
          metrics.rpc(method, Status.Code.CANCELLED.name(), System.nanoTime() - start);
        }
        super.onCancel();
      }
    };
  }
}
