package io.adit.cli.command;

import io.adit.api.v1.CreateServiceRequest;
import io.adit.api.v1.Service;
import io.adit.api.v1.ServiceSpec;
import io.adit.api.v1.UpdateServiceRequest;
import io.adit.cli.declarative.Manifest;
import io.adit.cli.output.ServiceText;
import io.adit.cli.output.Views.ServiceStatusView;
import io.adit.cli.output.Views.ServiceView;
import io.adit.common.validation.Names;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code aditctl service ...}: the tunnels, declared once and run by the nodes they are placed on. */
@Command(name = "service", description = "Declare, change and remove TLS tunnels (services).",
    subcommands = {ServiceCommand.Create.class, ServiceCommand.Update.class, ServiceCommand.ListServices.class,
        ServiceCommand.Get.class, ServiceCommand.Delete.class},
    footer = {"%nExample:", "  aditctl service list -o json"})
final class ServiceCommand {

  @Command(name = "create", description = "Create a service: a TLS relay on the chosen nodes.",
      footer = {"%nExamples:",
          "  # stunnel's [web] accept = 443, connect = 8080, on two nodes",
          "  aditctl service create web --accept 443 --connect 127.0.0.1:8080 \\",
          "      --node node-a --node node-b",
          "  # client mode: plaintext on local port 6000, TLS to the nodes running web",
          "  aditctl service create web-client --client --accept 6000 --to web \\",
          "      --identity client1 --all-nodes"})
  static final class Create extends ApiCommand {
    @Parameters(paramLabel = "NAME", description = "The service's name, a DNS label; also its certificate's DNS name.")
    String name;

    @Mixin
    ServiceSpecOptions options;

    @Override
    protected void run() {
      ServiceSpec spec = options.create(name);
      Service created = api().createService(
          CreateServiceRequest.newBuilder().setSpec(spec).setDryRun(options.dryRun()).build());
      warn(created.getWarningsList());
      printer().print(ServiceView.of(created), () -> done(options.dryRun()
          ? "service " + name + " is valid (dry run: nothing was stored)"
          : "service " + name + " created (version " + created.getVersion() + ")"));
    }
  }

  @Command(name = "update", description = {"Change a service: only the flags given change.",
      "The change applies only if nobody changed the service since it was read."},
      footer = {"%nExamples:",
          "  aditctl service update web --connect 127.0.0.1:8081,127.0.0.1:8082",
          "  aditctl service update web --allow client1 --allow client2"})
  static final class Update extends ApiCommand {
    @Parameters(paramLabel = "NAME", description = "The service to change.")
    String name;

    @Mixin
    ServiceSpecOptions options;

    @Override
    protected void run() {
      Names.requireDnsLabel("service name", name);
      Service current = api().getService(name);
      ServiceSpec spec = options.update(current.getSpec());
      Service updated;
      try {
        updated = api().updateService(UpdateServiceRequest.newBuilder()
            .setSpec(spec)
            .setExpectedVersion(current.getVersion())
            .setDryRun(options.dryRun())
            .build());
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() == Status.Code.ABORTED) {
          throw Status.ABORTED
              .withDescription("service " + name + " changed since it was read; run the command again")
              .withCause(e)
              .asRuntimeException();
        }
        throw e;
      }
      warn(updated.getWarningsList());
      printer().print(ServiceView.of(updated), () -> done(options.dryRun()
          ? "service " + name + ": the change is valid (dry run: nothing was stored)"
          : "service " + name + " updated (version " + updated.getVersion() + ")"));
    }
  }

  @Command(name = "list", description = {"List every service with where it runs.",
      "With -o yaml or -o json: a list of objects as aditctl apply reads them (see service get)."},
      footer = {"%nExamples:", "  aditctl service list",
          "  aditctl service list -o json | jq -r '.[].metadata.name'",
          "  aditctl service list -o yaml > services.yaml   # a backup that aditctl apply restores"})
  static final class ListServices extends ApiCommand {
    @Override
    protected void run() {
      List<Service> services = api().listServices();
      printer().print(services.stream().map(s -> Manifest.of(s, ServiceStatusView.of(s))).toList(),
          () -> ServiceText.list(out(), services, now()));
    }
  }

  @Command(name = "get", description = {"Show a service's spec and what each node reports about it.",
      "With -o yaml or -o json: the object as aditctl apply reads it (apiVersion, kind, metadata,"
          + " spec), with an output-only status section that apply ignores."},
      footer = {"%nExamples:", "  aditctl service get web", "  aditctl service get web -o yaml > web.yaml"})
  static final class Get extends ApiCommand {
    @Parameters(paramLabel = "NAME", description = "The service to show.")
    String name;

    @Override
    protected void run() {
      Names.requireDnsLabel("service name", name);
      Service service = api().getService(name);
      printer().print(Manifest.of(service, ServiceStatusView.of(service)), () -> ServiceText.describe(out(), service, now()));
    }
  }

  @Command(name = "delete", description = {"Delete a service.",
      "Its nodes stop the listener and drain the open connections."},
      footer = {"%nExample:", "  aditctl service delete web"})
  static final class Delete extends ApiCommand {
    @Parameters(paramLabel = "NAME", description = "The service to delete.")
    String name;

    @Option(names = "--dry-run", description = "Check that the service could be deleted; delete nothing.")
    boolean dryRun;

    @Override
    protected void run() {
      Names.requireDnsLabel("service name", name);
      Service deleted = api().deleteService(name, dryRun);
      printer().print(ServiceView.of(deleted), () -> done(dryRun
          ? "service " + name + " can be deleted (dry run: nothing was deleted)"
          : "service " + name + " deleted"));
    }
  }
}
