package io.adit.cli.command;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code aditctl} exits with. Scripts branch on these, so the numbers never change; every
 * command's {@code --help} lists them.
 */
public enum ExitCode {
  OK(0, "Success."),
  FAILURE(1, "Failure not covered below (rerun with --verbose for details)."),
  USAGE(2, "Usage error: unknown flag, missing or invalid value (also when the controller refuses"
      + " a value as invalid)."),
  NOT_FOUND(3, "Not found: no service, identity or node by that name."),
  CONFLICT(4, "Already exists, changed since it was read, or conflicts with the current state"
      + " (also: a file to write exists and --force was not given)."),
  DENIED(5, "Permission denied or not authenticated: the controller refused this credential."),
  UNAVAILABLE(6, "Controller or etcd unavailable, or no answer within --timeout."),
  CONFIG(7, "Config problem: the config file is missing, unreadable or invalid, its certificate"
      + " expired, or the controller's certificate does not match its CA.");

  private final int code;
  private final String meaning;

  ExitCode(int code, String meaning) {
    this.code = code;
    this.meaning = meaning;
  }

  public int code() {
    return code;
  }

  /** The list as picocli prints it in the help's exit-code section. */
  public static Map<String, String> helpList() {
    Map<String, String> m = new LinkedHashMap<>();
    for (ExitCode c : values()) {
      m.put(Integer.toString(c.code), c.meaning);
    }
    return m;
  }
}
