package io.adit.cli.command;

import io.adit.api.v1.AuditEvent;
import io.adit.cli.output.Human;
import io.adit.cli.output.Table;
import io.adit.cli.output.Views.AuditView;
import io.adit.common.validation.Durations;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code aditctl audit}: who changed what, when. */
@Command(name = "audit", description = {"Show who changed what, and when.",
    "Every change (service, identity, certificate issued or revoked, node joined or deleted, join token) is"
        + " recorded by the controller in the same etcd transaction as the change itself."},
    footer = {"%nExamples:", "  aditctl audit --since 24h", "  aditctl audit --action cert.revoke -o json"})
final class AuditCommand extends ApiCommand {
  @Option(names = "--since", paramLabel = "DURATION", description = "Only changes in this last stretch of time, e.g. 1h or 7d.")
  String since;

  @Option(names = "--action", paramLabel = "VERB",
      description = "Only this action: service.create, service.update, service.delete, identity.create, identity.revoke,"
          + " cert.issue, cert.revoke, node.join, node.delete, token.create, token.revoke.")
  String action = "";

  @Override
  protected void run() {
    Instant from = since == null ? null : now().minus(Durations.parse("--since", since));
    List<AuditEvent> events = api().listAudit(from, action);
    printer().print(events.stream().map(AuditView::of).toList(), () -> {
      Table t = Table.of("TIME", "ACTOR", "ACTION", "TARGET", "DETAIL");
      for (AuditEvent e : events) {
        t.row(Human.time(e.getTime()), shortActor(e.getActor()), e.getAction(), Human.orDash(e.getTarget()),
            Human.orDash(e.getDetail()));
      }
      t.print(out());
    });
  }

  /** "admin/alice" for spiffe://td/admin/alice: the trust domain is the same on every line. */
  static String shortActor(String actor) {
    if (actor.startsWith("spiffe://")) {
      int slash = actor.indexOf('/', "spiffe://".length());
      return slash < 0 ? actor : actor.substring(slash + 1);
    }
    return actor;
  }
}
