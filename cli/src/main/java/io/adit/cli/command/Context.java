package io.adit.cli.command;

import io.adit.cli.client.Connector;
import io.adit.cli.client.ControllerApi;
import io.adit.cli.client.Target;
import io.adit.cli.output.Human;
import io.adit.common.config.ClientConfig;
import io.adit.common.config.ConfigException;
import io.adit.common.pki.Pem;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a run of {@code aditctl} works with besides its arguments: the environment, the clock,
 * and the connection, opened on first use (so that {@code --help} or a usage error never reads
 * the config) and closed when the run ends.
 */
public final class Context implements AutoCloseable {
  static final String HOW_TO_GET_ONE =
      "the controller writes DATA_DIR/admin.conf at first start; pass it with --config or copy it to ~/.adit/config";

  private final Map<String, String> env;
  private final Clock clock;
  private final Connector connector;
  private final OutputStream binaryOut;
  private final boolean stdoutIsTerminal;
  private GlobalOptions.ConfigLocation location;
  private ControllerApi api;
  private Path credential;
  private java.time.Instant credentialNotAfter;
  private boolean warned;

  /** How long before its credential expires aditctl starts warning. */
  static final Duration EXPIRY_WARNING = Duration.ofDays(7);

  public Context(Map<String, String> env, Clock clock, Connector connector) {
    this(env, clock, connector, OutputStream.nullOutputStream(), false);
  }

  /**
   * @param binaryOut stdout as bytes, for output that is not text ({@code ca crl --der})
   * @param stdoutIsTerminal whether stdout is a terminal, where binary output is refused
   */
  public Context(Map<String, String> env, Clock clock, Connector connector, OutputStream binaryOut,
      boolean stdoutIsTerminal) {
    this.env = Map.copyOf(env);
    this.clock = clock;
    this.connector = connector;
    this.binaryOut = binaryOut;
    this.stdoutIsTerminal = stdoutIsTerminal;
  }

  public Clock clock() {
    return clock;
  }

  /** Stdout for bytes written as they are; flush the text writer first. */
  OutputStream binaryOut() {
    return binaryOut;
  }

  boolean stdoutIsTerminal() {
    return stdoutIsTerminal;
  }

  /** The API, connecting first if needed: timeout, then config, then credential are checked. */
  ControllerApi api(GlobalOptions options) {
    if (api == null) {
      Duration timeout = options.timeout();
      location = options.configLocation(env);
      String origin = location.source().startsWith("$") ? " (named by " + location.source() + ")" : "";
      Path file = location.file();
      if (Files.isRegularFile(file) && !Files.isReadable(file)) {
        throw new ConfigException("config file " + file + origin + " is not readable by this user: "
            + "it holds a private key, so use your own copy (mode 0600); " + HOW_TO_GET_ONE);
      }
      ClientConfig config;
      try {
        config = ClientConfig.read(file);
      } catch (ConfigException e) {
        throw new ConfigException(e.getMessage() + origin + ": " + HOW_TO_GET_ONE);
      }
      api = connector.connect(config, file, timeout, options.verbose());
      credential = file;
      try {
        credentialNotAfter = Pem.certificate(config.certPem()).getNotAfter().toInstant();
      } catch (RuntimeException unusable) {
        credentialNotAfter = null; // the connector has said what is wrong with it
      }
    }
    return api;
  }

  /**
   * A warning when the credential in use expires within {@link #EXPIRY_WARNING}, once per run;
   * empty otherwise.
   */
  Optional<String> expiryWarning() {
    if (credentialNotAfter == null || warned) {
      return Optional.empty();
    }
    Duration left = Duration.between(clock.instant(), credentialNotAfter);
    if (left.compareTo(EXPIRY_WARNING) > 0) {
      return Optional.empty();
    }
    warned = true;
    return Optional.of("the credential in " + credential + " expires at " + credentialNotAfter + " ("
        + Human.relative(credentialNotAfter, clock.instant()) + "): get a new one with aditctl admin issue NAME --out FILE");
  }

  /** Where calls go (or would have gone), for error messages; empty before any config was chosen. */
  public Optional<Target> target() {
    if (api != null) {
      return Optional.of(api.target());
    }
    return Optional.ofNullable(location).map(l -> new Target(l.file(), List.of()));
  }

  @Override
  public void close() {
    if (api != null) {
      api.close();
      api = null;
    }
  }
}
