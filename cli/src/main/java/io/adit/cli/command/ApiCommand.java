package io.adit.cli.command;

import io.adit.cli.client.ControllerApi;
import io.adit.cli.output.Printer;
import io.adit.common.validation.InvalidInputException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A leaf command: data goes to {@link #out()}, diagnostics to {@link #err()}; failures are
 * thrown and turned into a message and an exit code in one place, never printed here.
 */
abstract class ApiCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Override
  public final Integer call() throws Exception {
    try {
      run();
    } catch (InvalidInputException e) {
      throw usage(e.getMessage());
    }
    out().flush();
    return exitCode();
  }

  protected abstract void run() throws Exception;

  /** The exit code after {@link #run} returned normally; 0 except for a command that reports a finding (diff). */
  protected int exitCode() {
    return ExitCode.OK.code();
  }

  final GlobalOptions global() {
    return ((RootCommand) spec.root().userObject()).global();
  }

  final Context context() {
    return ((RootCommand) spec.root().userObject()).context();
  }

  final ControllerApi api() {
    ControllerApi api = context().api(global());
    context().expiryWarning().ifPresent(w -> err().println("warning: " + w));
    return api;
  }

  final PrintWriter out() {
    return spec.commandLine().getOut();
  }

  final PrintWriter err() {
    return spec.commandLine().getErr();
  }

  final Instant now() {
    return context().clock().instant();
  }

  final Printer printer() {
    return new Printer(global().output(), out());
  }

  /** A usage error (exit 2) about this command's flags: picocli prints it with a pointer to --help. */
  final ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  /** The controller's warnings, on stderr so that stdout stays parseable. */
  final void warn(List<String> warnings) {
    warnings.forEach(w -> err().println("warning: " + w));
    err().flush();
  }

  /** A confirmation for people; with -o json/yaml the command prints the object instead. */
  final void done(String message) {
    out().println(message);
  }
}
