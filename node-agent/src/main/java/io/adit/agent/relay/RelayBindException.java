package io.adit.agent.relay;

/**
 * A relay could not listen on its accept address. The message is a plain sentence an operator
 * can act on ("port 6000 is already in use"); the cause is the system's own error.
 */
public final class RelayBindException extends Exception {
  private static final long serialVersionUID = 1L;

  public RelayBindException(String message, Throwable cause) {
    super(message, cause);
  }
}
