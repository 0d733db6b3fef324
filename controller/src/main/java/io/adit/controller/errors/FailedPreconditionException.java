package io.adit.controller.errors;

/** A request that cannot be served in the cluster's current state. */
public class FailedPreconditionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public FailedPreconditionException(String message) {
    super(message);
  }

  public FailedPreconditionException(String message, Throwable cause) {
    super(message, cause);
  }
}
