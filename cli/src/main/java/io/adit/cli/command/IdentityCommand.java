package io.adit.cli.command;

import io.adit.api.v1.Identity;
import io.adit.cli.declarative.Manifest;
import io.adit.cli.output.IdentityText;
import io.adit.cli.output.Views.IdentityStatusView;
import io.adit.cli.output.Views.IdentityView;
import io.adit.common.validation.Names;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code aditctl identity ...}: the client names that certificates are issued for. */
@Command(name = "identity", description = "Manage client identities and issue their certificates.",
    subcommands = {IdentityCommand.Create.class, IdentityCommand.ListIdentities.class, IdentityCommand.Get.class,
        IdentityCommand.Revoke.class, IssueCommand.class},
    footer = {"%nExample:", "  aditctl identity create client1",
        "  aditctl identity issue client1 --out ./client1"})
final class IdentityCommand {

  @Command(name = "create", description = "Record a new client identity.",
      footer = {"%nExample:", "  aditctl identity create client1"})
  static final class Create extends ApiCommand {
    @Parameters(paramLabel = "NAME", description = "The identity's name, a DNS label.")
    String name;

    @Option(names = "--dry-run", description = "Let the controller check that the identity could be created; store nothing.")
    boolean dryRun;

    @Override
    protected void run() {
      Names.requireDnsLabel("identity name", name);
      Identity created = api().createIdentity(name, dryRun);
      printer().print(IdentityView.of(created), () -> {
        if (dryRun) {
          done("identity " + name + " can be created (dry run: nothing was stored)");
          return;
        }
        done("identity " + name + " created");
        err().println("next: aditctl identity issue " + name + " --out DIR");
      });
    }
  }

  @Command(name = "list", description = {"List every client identity.",
      "With -o yaml or -o json: a list of objects as aditctl apply reads them (see identity get)."},
      footer = {"%nExample:", "  aditctl identity list"})
  static final class ListIdentities extends ApiCommand {
    @Override
    protected void run() {
      List<Identity> identities = api().listIdentities();
      printer().print(identities.stream().map(i -> Manifest.of(i, IdentityStatusView.of(i))).toList(),
          () -> IdentityText.list(out(), identities, now()));
    }
  }

  @Command(name = "get", description = {"Show a client identity.",
      "With -o yaml or -o json: the object as aditctl apply reads it, with an output-only status."},
      footer = {"%nExample:", "  aditctl identity get client1 -o json"})
  static final class Get extends ApiCommand {
    @Parameters(paramLabel = "NAME", description = "The identity to show.")
    String name;

    @Override
    protected void run() {
      Names.requireDnsLabel("identity name", name);
      Identity identity = api().getIdentity(name);
      printer().print(Manifest.of(identity, IdentityStatusView.of(identity)), () -> IdentityText.describe(out(), identity, now()));
    }
  }

  @Command(name = "revoke", description = {"Revoke a client identity.",
      "No certificate is issued for it any more, and relays refuse its certificates and close its"
          + " connections."},
      footer = {"%nExample:", "  aditctl identity revoke client1"})
  static final class Revoke extends ApiCommand {
    @Parameters(paramLabel = "NAME", description = "The identity to revoke.")
    String name;

    @Override
    protected void run() {
      Names.requireDnsLabel("identity name", name);
      Identity revoked = api().revokeIdentity(name);
      printer().print(IdentityView.of(revoked), () -> done("identity " + name + " revoked"));
    }
  }
}
