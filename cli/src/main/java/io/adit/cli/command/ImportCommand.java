package io.adit.cli.command;

import io.adit.api.v1.CreateServiceRequest;
import io.adit.api.v1.Service;
import io.adit.api.v1.ServiceSpec;
import io.adit.cli.client.ControllerApi;
import io.adit.cli.output.ServiceText;
import io.adit.cli.output.Views.ServiceView;
import io.adit.cli.stunnel.StunnelConf;
import io.adit.cli.stunnel.StunnelImport;
import io.adit.cli.stunnel.StunnelImport.Converted;
import io.adit.cli.stunnel.StunnelImport.Placement;
import io.adit.cli.stunnel.StunnelImport.Result;
import io.adit.common.validation.InvalidInputException;
import io.adit.common.validation.Names;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code aditctl import ...}: configurations of other tunnels, as Adit services. */
@Command(name = "import", description = "Turn another tunnel's configuration into Adit services.",
    subcommands = ImportCommand.Stunnel.class,
    footer = {"%nExample:", "  aditctl import stunnel /etc/stunnel/stunnel.conf --node node-a --dry-run"})
final class ImportCommand {

  @Command(name = "stunnel", description = {
      "Create a service for each [section] of a stunnel.conf, placed on the given nodes.",
      "Section names become service names (lower case, '_' -> '-'). cert/key are replaced by certificates"
          + " Adit issues; a server's CAfile by the cluster CA; a client section that connects to another"
          + " section's accept is linked to it (--to). What cannot be carried over is listed with its line,"
          + " and then nothing is created unless --skip-unsupported is given."},
      footer = {"%nExamples:",
          "  aditctl import stunnel stunnel.conf --node node-a --dry-run",
          "  aditctl import stunnel stunnel.conf --all-nodes --skip-unsupported"})
  static final class Stunnel extends ApiCommand {
    @Parameters(paramLabel = "FILE", description = "The stunnel.conf; include = DIR is followed.")
    Path file;

    @Option(names = "--node", paramLabel = "NODE", split = ",",
        description = "A node that runs the services; repeat or separate with commas. Exclusive with --all-nodes.")
    List<String> nodes;

    @Option(names = "--all-nodes", description = "Run the services on every node, present and future.")
    boolean allNodes;

    @Option(names = "--dry-run", description = "Check everything with the controller and show the services; create"
        + " nothing.")
    boolean dryRun;

    @Option(names = "--skip-unsupported", description = "Create what converts: leave out the options listed as"
        + " unsupported, and the sections that cannot do without them.")
    boolean skipUnsupported;

    @Override
    protected void run() {
      Result result = StunnelImport.convert(StunnelConf.read(file), placement());
      report(result);
      if (!result.convertsWhole() && !skipUnsupported) {
        throw new CliException(ExitCode.USAGE, "the " + result.problems().size() + " unsupported item(s) above cannot"
            + " be carried over; nothing was created (--skip-unsupported creates the rest)");
      }
      if (result.services().isEmpty()) {
        throw new CliException(ExitCode.USAGE, "no section of " + file + " can be carried over; nothing was created");
      }
      ControllerApi api = api();
      Set<String> existing = new HashSet<>();
      api.listServices().forEach(s -> existing.add(s.getSpec().getName()));
      List<String> taken = result.services().stream().map(c -> c.spec().getName()).filter(existing::contains).toList();
      if (!taken.isEmpty()) {
        throw new CliException(ExitCode.CONFLICT, "service " + String.join(", ", taken) + " already exists; nothing was"
            + " created (rename the section, or delete the service)");
      }
      List<Service> checked = check(api, result.services());
      if (dryRun) {
        printer().print(checked.stream().map(ServiceView::of).toList(), () -> {
          ServiceText.list(out(), checked, now());
          done(checked.size() + " service(s) are valid (dry run: nothing was stored)");
        });
        return;
      }
      List<Service> created = create(api, result.services());
      printer().print(created.stream().map(ServiceView::of).toList(), () -> created.forEach(s ->
          done("service " + s.getSpec().getName() + " created (version " + s.getVersion() + ")")));
    }

    private Placement placement() {
      if (nodes != null && allNodes) {
        throw new InvalidInputException("give --node or --all-nodes, not both");
      }
      if (allNodes) {
        return new Placement(List.of(), true);
      }
      List<String> names = nodes == null ? List.of()
          : nodes.stream().map(String::trim).filter(n -> !n.isEmpty()).toList();
      if (names.isEmpty()) {
        throw new InvalidInputException(ServiceSpecOptions.PLACEMENT_REQUIRED);
      }
      names.forEach(n -> Names.requireDnsLabel("--node", n));
      return new Placement(names, false);
    }

    /** The name mapping, notes and warnings on stderr; problems too, each with its line. */
    private void report(Result result) {
      result.names().forEach((section, service) -> err().println("[" + section + "] -> " + service));
      result.notes().forEach(n -> err().println("note: " + n));
      result.warnings().forEach(w -> err().println("warning: " + w));
      result.problems().forEach(p -> err().println((skipUnsupported ? "skipped: " : "unsupported: ") + p));
      result.skipped().forEach(s -> err().println((skipUnsupported ? "skipped" : "cannot import") + " [" + s + "]"));
      err().flush();
    }

    /**
     * The controller's dry run of each service; a client linked to a server of this import is
     * checked after that server would exist, so only here in the CLI.
     */
    private List<Service> check(ControllerApi api, List<Converted> services) {
      Set<String> importing = new HashSet<>();
      services.forEach(c -> importing.add(c.spec().getName()));
      List<Service> checked = new ArrayList<>();
      for (Converted c : services) {
        ServiceSpec spec = c.spec();
        if (!spec.getTo().isEmpty() && importing.contains(spec.getTo())) {
          checked.add(Service.newBuilder().setSpec(spec).build());
          continue;
        }
        Service s = api.createService(CreateServiceRequest.newBuilder().setSpec(spec).setDryRun(true).build());
        warn(s.getWarningsList().stream().map(w -> spec.getName() + ": " + w).toList());
        checked.add(s);
      }
      return checked;
    }

    /** One create per service; if one fails, the ones created before it are deleted again. */
    private List<Service> create(ControllerApi api, List<Converted> services) {
      List<Service> created = new ArrayList<>();
      for (Converted c : services) {
        try {
          created.add(api.createService(CreateServiceRequest.newBuilder().setSpec(c.spec()).build()));
        } catch (StatusRuntimeException e) {
          undo(api, created, c.spec().getName());
          throw e;
        }
      }
      return created;
    }

    private void undo(ControllerApi api, List<Service> created, String failed) {
      if (created.isEmpty()) {
        return;
      }
      err().println("creating " + failed + " failed; deleting the " + created.size() + " service(s) this import created");
      for (int i = created.size() - 1; i >= 0; i--) {
        String name = created.get(i).getSpec().getName();
        try {
          api.deleteService(name, false);
        } catch (StatusRuntimeException e) {
          err().println("could not delete " + name + " (" + e.getStatus().getDescription() + "): delete it with"
              + " aditctl service delete " + name);
        }
      }
      err().flush();
    }
  }
}
