package io.adit.cli.command;

import io.adit.cli.output.OutputFormat;
import io.adit.common.validation.Durations;
import io.adit.common.validation.InvalidInputException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * Options every command accepts, before or after the subcommand
 * ({@code aditctl --config F service list} or {@code aditctl service list --config F}):
 * inherited options bind to this one instance wherever they appear.
 *
 * <p>Defaults are field initialisers, not {@code defaultValue}: picocli re-applies a
 * {@code defaultValue} for each subcommand, which would undo a value given before it.
 */
public final class GlobalOptions {
  static final String ENV_CONFIG = "ADIT_CONFIG";

  @Option(names = "--config", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "Credential file to use. Default: $ADIT_CONFIG, else ~/.adit/config.")
  Path config;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", scope = ScopeType.INHERIT,
      converter = OutputFormat.Converter.class,
      description = "Output format: table, json or yaml. Default: table.")
  OutputFormat output = OutputFormat.TABLE;

  @Option(names = "--timeout", paramLabel = "DURATION", scope = ScopeType.INHERIT,
      description = "Deadline of every call to the controller, e.g. 10s or 1m. Default: 10s.")
  String timeout = "10s";

  @Option(names = "--verbose", scope = ScopeType.INHERIT,
      description = "On failure, also print the stack trace.")
  boolean verbose;

  public OutputFormat output() {
    return output;
  }

  public boolean verbose() {
    return verbose;
  }

  /** The parsed {@code --timeout}; a usage error when it is not a positive duration. */
  public Duration timeout() {
    Duration d = Durations.parse("--timeout", timeout);
    if (d.isZero()) {
      throw new InvalidInputException("--timeout must be longer than 0: give a duration such as 10s");
    }
    return d;
  }

  /** Which config file to read and why: the flag, then the environment, then the home directory. */
  public ConfigLocation configLocation(Map<String, String> env) {
    if (config != null) {
      return new ConfigLocation(config, "--config");
    }
    String fromEnv = env.get(ENV_CONFIG);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return new ConfigLocation(Path.of(fromEnv), "$" + ENV_CONFIG);
    }
    String home = env.getOrDefault("HOME", System.getProperty("user.home"));
    return new ConfigLocation(Path.of(home, ".adit", "config"), "default");
  }

  /** A config file and where its name came from ("--config", "$ADIT_CONFIG" or "default"). */
  public record ConfigLocation(Path file, String source) {}
}
