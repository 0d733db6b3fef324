package io.adit.common.daemon;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options every daemon has: its config file and its logs. A picocli mixin; {@link DaemonMain}
 * reads the file before parsing and applies the log settings before the command runs.
 */
public final class DaemonOptions {
  @Option(names = ConfigFile.OPTION, paramLabel = "FILE",
      description = "Read options from this YAML file: each key is a long option without the dashes"
          + " (data-dir: /var/lib/adit), a list for a repeatable one. Flags override the file.")
  Path config;

  @Option(names = "--log-format", paramLabel = "text|json", defaultValue = "text",
      description = "Log lines as plain text, or as JSON lines with every field separate (default ${DEFAULT-VALUE}).")
  String logFormat;

  @Option(names = "--log-level", paramLabel = "LEVEL",
      description = "Level of the daemon's own logs: error, warn, info, debug or trace (default info, or $ADIT_LOG_LEVEL).")
  String logLevel;

  @Option(names = "--log-level-for", paramLabel = "COMPONENT=LEVEL", split = ",", mapFallbackValue = "",
      description = "Level of one component (a package such as relay, or a full logger name such as io.netty);"
          + " repeatable, e.g. --log-level-for relay=warn,tls=debug.")
  Map<String, String> logLevelFor = new LinkedHashMap<>();

  /** Checks the log settings and applies them to logback. */
  void applyLogging(LogComponents components) {
    Logging.configure(Logging.format(logFormat), Logging.level("--log-level", logLevel),
        components.levels(logLevelFor));
  }
}
