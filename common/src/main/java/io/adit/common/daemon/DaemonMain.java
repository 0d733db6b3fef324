package io.adit.common.daemon;

import io.adit.common.validation.InvalidInputException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * How a daemon's {@code main} runs its picocli command: reads {@code --config FILE} into the
 * arguments, parses, applies the log settings of its {@link DaemonOptions} mixin, then calls the
 * command. Every error about the input is one sentence on stderr, naming the flag, or the file,
 * line and key, with exit code 2; a failure to start is logged, with exit code 1.
 */
public final class DaemonMain {
  /** Exit code for bad flags or a bad config file. */
  public static final int BAD_INPUT = 2;
  /** Exit code for a start that failed. */
  public static final int FAILED = 1;

  private DaemonMain() {}

  /** Runs {@code cmd} with {@code args}; returns the exit code. */
  public static int run(CommandLine cmd, LogComponents components, String[] args) {
    String name = cmd.getCommandName();
    PrintWriter err = cmd.getErr();
    ConfigFile config;
    try {
      config = ConfigFile.load(cmd.getCommandSpec(), args);
    } catch (InvalidInputException e) {
      err.println(name + ": " + e.getMessage());
      err.flush();
      return BAD_INPUT;
    }
    cmd.setParameterExceptionHandler((e, ignored) -> {
      PrintWriter w = e.getCommandLine().getErr();
      String message = config.explain(e.getMessage());
      if (e instanceof MissingParameterException && config.file().isPresent()) {
        message += ": give them as flags or in " + config.file().get();
      }
      w.println(name + ": " + message);
      if (e instanceof UnmatchedArgumentException u) {
        UnmatchedArgumentException.printSuggestions(u, w);
      }
      w.println("'" + name + " --help' lists the options.");
      w.flush();
      return BAD_INPUT;
    });
    cmd.setExecutionExceptionHandler((e, c, parsed) -> {
      if (e instanceof InvalidInputException) {
        c.getErr().println(name + ": " + config.explain(e.getMessage()));
        c.getErr().flush();
        return BAD_INPUT;
      }
      org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(cmd.getCommandSpec().userObject().getClass());
      log.error("{} could not start: {}", name, config.explain(e.getMessage()));
      log.debug("details", e);
      return FAILED;
    });
    cmd.setExecutionStrategy(parsed -> {
      if (!parsed.isUsageHelpRequested() && !parsed.isVersionHelpRequested()) {
        for (Object mixin : cmd.getMixins().values()) {
          if (mixin instanceof DaemonOptions options) {
            try {
              options.applyLogging(components);
            } catch (InvalidInputException e) {
              throw new ParameterException(cmd, e.getMessage());
            }
          }
        }
      }
      return new CommandLine.RunLast().execute(parsed);
    });
    return cmd.execute(config.args());
  }
}
