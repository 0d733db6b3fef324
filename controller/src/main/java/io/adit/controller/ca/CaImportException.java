package io.adit.controller.ca;

/** A CA certificate or key that cannot be imported; the message names the file and the reason. */
public class CaImportException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CaImportException(String message) {
    super(message);
  }

  public CaImportException(String message, Throwable cause) {
    super(message, cause);
  }
}
