package io.adit.cli.command;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code aditctl completion bash|zsh}: shell completion for every command and flag. */
@Command(name = "completion", description = {"Print shell completion for aditctl: every command and flag.",
    "Needs no controller."},
    footer = {"%nExamples:", "  source <(aditctl completion bash)            # this shell",
        "  aditctl completion bash > /etc/bash_completion.d/aditctl",
        "  source <(aditctl completion zsh)             # zsh, through bashcompinit"})
final class CompletionCommand extends ApiCommand {
  @Parameters(paramLabel = "SHELL", description = "bash or zsh.")
  String shell;

  @Override
  protected void run() {
    if (!shell.equals("bash") && !shell.equals("zsh")) {
      throw usage("'" + shell + "' is not a shell aditctl completes: use bash or zsh");
    }
    // The whole command tree, whichever branch this run built.
    CommandLine all = new CommandLine(new RootCommand(context()));
    RootCommand.NOUNS.forEach(all::addSubcommand);
    if (shell.equals("zsh")) {
      out().println("autoload -U +X compinit && compinit");
      out().println("autoload -U +X bashcompinit && bashcompinit");
    }
    out().print(AutoComplete.bash("aditctl", all));
  }
}
