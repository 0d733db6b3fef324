package io.adit.cli;

import io.adit.cli.command.Context;
import io.adit.cli.command.ExitCode;
import io.adit.cli.command.RootCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IExitCodeExceptionMapper;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Prints failures on stderr as "error: " and one sentence, with a stack trace only under
 * {@code --verbose}, and returns the exit code {@link Failures} chose. Usage errors, picocli's
 * or the commands' own, exit with 2 and a pointer to the command's help.
 */
final class ErrorHandler implements IExecutionExceptionHandler, IParameterExceptionHandler, IExitCodeExceptionMapper {
  private final Context context;

  ErrorHandler(Context context) {
    this.context = context;
  }

  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
    Failures.Failure f = Failures.describe(ex, context.target());
    PrintWriter err = cmd.getErr();
    err.println("error: " + f.message());
    if (verbose(cmd)) {
      ex.printStackTrace(err);
    }
    err.flush();
    return f.exitCode().code();
  }

  @Override
  public int handleParseException(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println("error: " + ex.getMessage());
    UnmatchedArgumentException.printSuggestions(ex, err);
    err.println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
    if (verbose(cmd)) {
      ex.printStackTrace(err);
    }
    err.flush();
    return ExitCode.USAGE.code();
  }

  @Override
  public int getExitCode(Throwable exception) {
    return Failures.describe(exception, context.target()).exitCode().code();
  }

  private static boolean verbose(CommandLine cmd) {
    Object root = cmd.getCommandSpec().root().userObject();
    return root instanceof RootCommand r && r.global() != null && r.global().verbose();
  }
}
