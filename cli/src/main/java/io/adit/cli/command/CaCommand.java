package io.adit.cli.command;

import io.adit.api.v1.TrustBundle;
import io.adit.cli.output.Views.TrustBundleView;
import picocli.CommandLine.Command;

/** {@code aditctl ca ...}: the cluster's certificate authority. */
@Command(name = "ca", description = "The cluster's certificate authority.",
    subcommands = CaCommand.Get.class,
    footer = {"%nExample:", "  aditctl ca get > ca.crt"})
final class CaCommand {

  @Command(name = "get", description = {"Print the trust bundle: every CA certificate the cluster trusts, PEM.",
      "Nothing else goes to stdout, so the output can be redirected into a CAfile."},
      footer = {"%nExamples:",
          "  aditctl ca get > ca.crt",
          "  # also the trust domain and the CA hashes that join tokens pin:",
          "  aditctl ca get -o json"})
  static final class Get extends ApiCommand {
    @Override
    protected void run() {
      TrustBundle bundle = api().getTrustBundle();
      printer().print(TrustBundleView.of(bundle), () -> {
        String pem = bundle.getPem();
        out().print(pem.endsWith("\n") || pem.isEmpty() ? pem : pem + "\n");
      });
    }
  }
}
