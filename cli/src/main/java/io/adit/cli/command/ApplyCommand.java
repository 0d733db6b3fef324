package io.adit.cli.command;

import io.adit.api.v1.ApplyAction;
import io.adit.api.v1.ApplyRequest;
import io.adit.api.v1.ApplyResponse;
import io.adit.api.v1.ApplyResult;
import io.adit.cli.declarative.ManifestReader;
import io.adit.cli.output.ApplyText;
import io.adit.cli.output.Views.ApplyView;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code aditctl apply} and {@code aditctl diff}: services and identities declared in files,
 * applied together in one transaction, or compared with what is stored.
 */
final class ApplyCommand {
  private ApplyCommand() {}

  /** The files to read, shared by apply and diff. */
  static final class Files {
    @Option(names = {"-f", "--filename"}, paramLabel = "FILE|DIR|-", required = true,
        description = {"A YAML or JSON file of objects (kind: Service or kind: Identity, metadata.name, spec),"
            + " a directory (its *.yaml, *.yml and *.json files, sorted), or - for standard input. Repeatable."})
    List<String> paths;
  }

  static ApplyResponse send(ApiCommand command, List<String> paths, boolean dryRun) {
    ApplyRequest request = ApplyRequest.newBuilder()
        .addAllObjects(ManifestReader.readAll(paths, () -> System.in))
        .setDryRun(dryRun)
        .build();
    ApplyResponse response;
    try {
      response = command.api().apply(request);
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.ABORTED) {
        throw Status.ABORTED.withDescription(e.getStatus().getDescription()).withCause(e).asRuntimeException();
      }
      throw e;
    }
    for (ApplyResult r : response.getResultsList()) {
      if (r.getAction() != ApplyAction.APPLY_ACTION_UNCHANGED) {
        command.warn(r.getWarningsList().stream().map(w -> r.getKind().toLowerCase(java.util.Locale.ROOT) + "/" + r.getName() + ": " + w).toList());
      }
    }
    return response;
  }

  @Command(name = "apply", description = {"Create or update the services and identities declared in files.",
      "All objects are written in one etcd transaction that checks each against what was read: all"
          + " of them or none, refused with a conflict (exit 4) if anything changed in between."
          + " Past etcd's limit of operations per transaction, they go in atomic batches, which the"
          + " output reports. Objects not in the files are left alone; a status section is ignored."},
      footer = {"%nExamples:",
          "  aditctl service get web -o yaml > web.yaml   # edit, then:",
          "  aditctl diff -f web.yaml",
          "  aditctl apply -f web.yaml",
          "  aditctl apply -f ./services/ --dry-run"})
  static final class Apply extends ApiCommand {
    @picocli.CommandLine.Mixin
    Files files;

    @Option(names = "--dry-run", description = "Let the controller check everything and say what it would do; store nothing.")
    boolean dryRun;

    @Override
    protected void run() {
      ApplyResponse response = send(this, files.paths, dryRun);
      printer().print(ApplyView.of(response, dryRun), () -> ApplyText.applied(out(), response, dryRun));
    }
  }

  @Command(name = "diff", description = {"Show what apply would change, field by field, and which nodes"
      + " would start, restart or stop which relay. Changes nothing.",
      "Exits 0 when there is no change and 1 when there are changes; other codes as listed below."},
      exitCodeList = {"0:No change: everything in the files is as stored.",
          "1:Changes: apply would create or update something (as diff(1) and kubectl diff)."},
      footer = {"%nExamples:", "  aditctl diff -f web.yaml", "  aditctl diff -f ./services/ -o json"})
  static final class Diff extends ApiCommand {
    @picocli.CommandLine.Mixin
    Files files;

    private boolean changes;

    @Override
    protected void run() {
      ApplyResponse response = send(this, files.paths, true);
      changes = response.getResultsList().stream().anyMatch(r -> r.getAction() != ApplyAction.APPLY_ACTION_UNCHANGED
          || r.getRelaysCount() > 0);
      printer().print(ApplyView.of(response, true), () -> ApplyText.diff(out(), response));
    }

    @Override
    protected int exitCode() {
      return changes ? 1 : ExitCode.OK.code();
    }
  }
}
