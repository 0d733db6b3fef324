package io.adit.cli.output;

import io.adit.api.v1.Identity;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Client identities for people. */
public final class IdentityText {
  private IdentityText() {}

  public static void list(PrintWriter out, List<Identity> identities, Instant now) {
    Table t = Table.of("NAME", "STATUS", "LAST SERIAL", "LAST EXPIRES", "AGE");
    for (Identity i : identities) {
      Instant created = Human.instant(i.getCreateTime());
      t.row(i.getName(), i.getRevoked() ? "Revoked" : "Active", i.getLastSerial(),
          Human.relative(i.getLastNotAfter(), now),
          created == null ? "-" : Human.age(Duration.between(created, now)));
    }
    t.print(out);
  }

  public static void describe(PrintWriter out, Identity i, Instant now) {
    ServiceText.field(out, "Name", i.getName());
    ServiceText.field(out, "Status", i.getRevoked() ? "Revoked" : "Active");
    ServiceText.field(out, "Created", Human.timeAndRelative(i.getCreateTime(), now)
        + (i.getCreatedBy().isEmpty() ? "" : " by " + i.getCreatedBy()));
    if (i.getRevoked()) {
      ServiceText.field(out, "Revoked", Human.timeAndRelative(i.getRevokeTime(), now)
          + (i.getRevokedBy().isEmpty() ? "" : " by " + i.getRevokedBy()));
    }
    ServiceText.field(out, "Last serial", Human.orDash(i.getLastSerial()));
    ServiceText.field(out, "Last expires", Human.timeAndRelative(i.getLastNotAfter(), now));
    ServiceText.field(out, "Version", Long.toString(i.getVersion()));
  }
}
