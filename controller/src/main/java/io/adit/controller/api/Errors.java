package io.adit.controller.api;

import io.adit.common.pki.Pem;
import io.adit.common.validation.InvalidInputException;
import io.adit.controller.audit.Audit;
import io.adit.controller.auth.Caller;
import io.adit.controller.errors.AlreadyExistsException;
import io.adit.controller.errors.ConflictException;
import io.adit.controller.errors.FailedPreconditionException;
import io.adit.controller.errors.NotFoundException;
import io.adit.controller.errors.PermissionDeniedException;
import io.adit.controller.errors.UnauthenticatedException;
import io.adit.controller.errors.UnavailableException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where domain exceptions become gRPC statuses. Messages of known exceptions are
 * written for users and pass through; anything else is INTERNAL with a generic message, and is
 * logged here (once) with its stack trace.
 */
final class Errors {
  private static final Logger log = LoggerFactory.getLogger(Errors.class);

  private Errors() {}

  /** Runs a unary call body and completes the observer with its result or mapped error. */
  static <T> void unary(StreamObserver<T> observer, String method, Supplier<T> body) {
    T result;
    try {
      result = body.get();
    } catch (RuntimeException e) {
      observer.onError(toStatus(e, method));
      return;
    }
    observer.onNext(result);
    observer.onCompleted();
  }

  /**
   * As {@link #unary}, recording the change ({@code action} on {@code target}, by the caller) in
   * the audit trail, in the same etcd transaction as the change.
   */
  static <T> void audited(StreamObserver<T> observer, String method, String action, String target, Supplier<T> body) {
    unary(observer, method, () -> Audit.of(Caller.current().describe(), action, target, body));
  }

  static StatusRuntimeException toStatus(Throwable e, String method) {
    Status status;
    if (e instanceof StatusRuntimeException sre) {
      return sre;
    } else if (e instanceof InvalidInputException || e instanceof Pem.PemException) {
      status = Status.INVALID_ARGUMENT;
    } else if (e instanceof NotFoundException) {
      status = Status.NOT_FOUND;
    } else if (e instanceof AlreadyExistsException) {
      status = Status.ALREADY_EXISTS;
    } else if (e instanceof ConflictException) {
      status = Status.ABORTED;
    } else if (e instanceof PermissionDeniedException) {
      status = Status.PERMISSION_DENIED;
    } else if (e instanceof UnauthenticatedException) {
      status = Status.UNAUTHENTICATED;
    } else if (e instanceof FailedPreconditionException) {
      status = Status.FAILED_PRECONDITION;
    } else if (e instanceof UnavailableException) {
      log.warn("{}: {}", method, e.getMessage());
      status = Status.UNAVAILABLE;
    } else {
      log.error("{} failed unexpectedly", method, e);
      return Status.INTERNAL.withDescription("the controller failed unexpectedly; its log has the details").asRuntimeException();
    }
    return status.withDescription(e.getMessage()).asRuntimeException();
  }
}
