package io.adit.agent.relay;

/** A classified failure and its reason in plain words, the sentence that is logged. */
record Failure(FailureKind kind, String reason) {
  @Override
  public String toString() {
    return reason;
  }
}
