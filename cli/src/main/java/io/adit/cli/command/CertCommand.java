package io.adit.cli.command;

import io.adit.api.v1.Revocation;
import io.adit.cli.output.Human;
import io.adit.cli.output.Table;
import io.adit.cli.output.Views;
import io.adit.cli.output.Views.RevocationView;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code aditctl cert ...}: single certificates, by serial. */
@Command(name = "cert", description = "Revoke single certificates and list the revocations in force.",
    subcommands = {CertCommand.Revoke.class, CertCommand.Revocations.class},
    footer = {"%nExample:", "  aditctl cert revoke $(openssl x509 -in client1.crt -noout -serial)"})
final class CertCommand {

  @Command(name = "revoke", description = {"Revoke one certificate by its serial number.",
      "Every agent refuses it in new handshakes and closes the connections that presented it, within a"
          + " second; it also joins the CRL (aditctl ca crl). To revoke every certificate of a client,"
          + " revoke the identity: aditctl identity revoke NAME."},
      footer = {"%nExamples:",
          "  aditctl cert revoke 3f2a9c0d41e8b7a6",
          "  aditctl cert revoke $(openssl x509 -in client1.crt -noout -serial) --reason 'laptop lost'"})
  static final class Revoke extends ApiCommand {
    @Parameters(paramLabel = "SERIAL",
        description = "The serial in hex, as openssl x509 -serial prints it (\"serial=\" and colons are fine).")
    String serial;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why; kept with the revocation.")
    String reason = "";

    @Override
    protected void run() {
      Revocation r = api().revokeCertificate(serial, reason);
      printer().print(RevocationView.of(r), () -> done("certificate " + r.getSerial()
          + (r.getName().isEmpty() ? " (not issued by this cluster's controllers)"
              : " (" + Views.kindName(r.getKind()) + " " + r.getName() + ")")
          + " revoked at " + Human.time(r.getRevokeTime())));
    }
  }

  @Command(name = "revocations", description = "List the revocations in force (of certificates not yet expired).",
      footer = {"%nExample:", "  aditctl cert revocations -o json"})
  static final class Revocations extends ApiCommand {
    @Override
    protected void run() {
      List<Revocation> all = api().listRevocations();
      printer().print(all.stream().map(RevocationView::of).toList(), () -> {
        Table t = Table.of("SERIAL", "FOR", "REVOKED", "BY", "EXPIRES", "REASON");
        for (Revocation r : all) {
          t.row(r.getSerial(), r.getName().isEmpty() ? "-" : Views.kindName(r.getKind()) + " " + r.getName(),
              Human.time(r.getRevokeTime()), Human.orDash(r.getRevokedBy()),
              Human.orDash(Human.time(r.getNotAfter())), Human.orDash(r.getReason()));
        }
        t.print(out());
      });
    }
  }
}
