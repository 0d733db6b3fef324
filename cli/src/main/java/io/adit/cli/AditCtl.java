package io.adit.cli;

import io.adit.cli.client.Connector;
import io.adit.cli.client.GrpcConnector;
import io.adit.cli.command.Context;
import io.adit.cli.command.ExitCode;
import io.adit.cli.command.RootCommand;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * {@code aditctl}, the command-line client of the Adit controller. {@link #run} is the whole
 * program without {@code System.exit}, so tests can drive it in-process.
 */
public final class AditCtl {
  /** Global options that take a separate value, so that the value is not taken for the noun. */
  private static final Set<String> GLOBAL_OPTIONS_WITH_VALUE = Set.of("--config", "-o", "--output", "--timeout");

  private AditCtl() {}

  public static void main(String[] args) {
    int code = run(args, System.out, System.err, System.getenv());
    System.exit(code);
  }

  /** Runs one command line against the controllers named by the config; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
    Clock clock = Clock.systemUTC();
    // A lambda, so that --help and usage errors never load gRPC or Netty.
    Connector grpc = (config, file, timeout, verbose) -> new GrpcConnector(clock).connect(config, file, timeout, verbose);
    return run(args, out, err, env, clock, grpc);
  }

  /** As {@link #run(String[], PrintStream, PrintStream, Map)}, with the clock and connection given. */
  public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env,
      Clock clock, Connector connector) {
    // System.console() is there only when stdin and stdout are both a terminal: good enough to
    // keep binary output off a screen, and it never refuses a redirected stdout.
    return run(args, out, err, env, clock, connector, out == System.out && System.console() != null);
  }

  /** As above, saying whether {@code out} is a terminal (where binary output is refused). */
  public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env,
      Clock clock, Connector connector, boolean stdoutIsTerminal) {
    PrintWriter stdout = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
    PrintWriter stderr = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
    try (Context context = new Context(env, clock, connector, out, stdoutIsTerminal)) {
      return commandLine(context, stdout, stderr, nounIn(args)).execute(args);
    } finally {
      stdout.flush();
      stderr.flush();
    }
  }

  /**
   * The command tree; {@code noun} set builds only that branch (see {@link RootCommand#NOUNS}),
   * null builds every command.
   */
  static CommandLine commandLine(Context context, PrintWriter out, PrintWriter err, String noun) {
    ErrorHandler errors = new ErrorHandler(context);
    CommandLine cl = new CommandLine(new RootCommand(context));
    RootCommand.NOUNS.forEach((name, type) -> {
      if (noun == null || noun.equals(name)) {
        cl.addSubcommand(name, type);
      }
    });
    cl.setOut(out)
        .setErr(err)
        .setExecutionExceptionHandler(errors)
        .setParameterExceptionHandler(errors)
        .setExitCodeExceptionMapper(errors);
    document(cl);
    return cl;
  }

  /**
   * The noun the arguments name, or null when they name none that exists (help, a typo): then
   * the whole tree is built, for the command list and picocli's "did you mean".
   */
  static String nounIn(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--")) {
        return null;
      }
      if (a.startsWith("-")) {
        if (GLOBAL_OPTIONS_WITH_VALUE.contains(a)) {
          i++;
        }
        continue;
      }
      return RootCommand.NOUNS.containsKey(a) && !a.equals("help") ? a : null;
    }
    return null;
  }

  /** Same help layout and exit-code list on every command. */
  private static void document(CommandLine cl) {
    UsageMessageSpec usage = cl.getCommandSpec().usageMessage();
    usage.descriptionHeading("%n")
        .parameterListHeading("%nArguments:%n")
        .optionListHeading("%nOptions:%n")
        .commandListHeading("%nCommands:%n")
        .exitCodeListHeading("%nExit codes:%n");
    // A command's own meaning of a code (diff's 1: changes found) replaces the common one.
    java.util.Map<String, String> codes = ExitCode.helpList();
    codes.putAll(usage.exitCodeList());
    usage.exitCodeList(codes);
    cl.getSubcommands().values().forEach(AditCtl::document);
  }
}
