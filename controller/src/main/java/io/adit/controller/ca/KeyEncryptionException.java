package io.adit.controller.ca;

/** The key-encryption key is missing, unsafe or wrong; the message says which file and what to do. */
public class KeyEncryptionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public KeyEncryptionException(String message) {
    super(message);
  }

  public KeyEncryptionException(String message, Throwable cause) {
    super(message, cause);
  }
}
