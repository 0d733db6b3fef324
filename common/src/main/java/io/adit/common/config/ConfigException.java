package io.adit.common.config;

/** A config file that is missing, unreadable or malformed; the message names the file. */
public class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }
}
