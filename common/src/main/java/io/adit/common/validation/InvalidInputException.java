package io.adit.common.validation;

/** Input that breaks a rule; the message names the value and says what to do. */
public class InvalidInputException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InvalidInputException(String message) {
    super(message);
  }
}
