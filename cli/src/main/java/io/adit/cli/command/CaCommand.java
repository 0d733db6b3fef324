package io.adit.cli.command;

import io.adit.api.v1.Crl;
import io.adit.api.v1.TrustBundle;
import io.adit.cli.output.Human;
import io.adit.cli.output.Views.CrlView;
import io.adit.cli.output.Views.TrustBundleView;
import io.adit.common.files.AtomicFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code aditctl ca ...}: the cluster's certificate authority. */
@Command(name = "ca", description = "The cluster's certificate authority.",
    subcommands = {CaCommand.Get.class, CaCommand.CrlCommand.class},
    footer = {"%nExamples:", "  aditctl ca get > ca.crt", "  aditctl ca crl > crl.pem"})
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

  @Command(name = "crl", description = {"Print the cluster's certificate revocation list (CRL), signed by the CA.",
      "It lists every revoked certificate that has not expired yet, and is made anew on every revocation."
          + " PEM by default, for stunnel's CRLfile and openssl verify -CRLfile; --der for DER."},
      footer = {"%nExamples:",
          "  aditctl ca crl > crl.pem",
          "  openssl verify -crl_check -CAfile ca.crt -CRLfile crl.pem client1.crt",
          "  # replace stunnel's CRLfile atomically (stunnel rereads it on reload):",
          "  aditctl ca crl --out /etc/stunnel/crl.pem",
          "  aditctl ca crl --der > crl.der",
          "  # its number, thisUpdate, nextUpdate and how many it lists:",
          "  aditctl ca crl -o json"})
  static final class CrlCommand extends ApiCommand {
    @Option(names = "--der", description = "DER (binary) instead of PEM; refused on a terminal, so redirect it or use --out.")
    boolean der;

    @Option(names = "--out", paramLabel = "FILE",
        description = "Write the CRL to FILE (replaced atomically, mode 0644) instead of stdout.")
    Path file;

    @Override
    protected void run() throws IOException {
      if (der && printer().structured()) {
        throw usage("--der and -o " + global().output()
            + " do not go together: -o prints the PEM with the CRL's details, --der the DER alone");
      }
      if (der && file == null && context().stdoutIsTerminal()) {
        throw usage("--der writes binary data, which a terminal cannot show: redirect stdout"
            + " (aditctl ca crl --der > crl.der) or use --out FILE");
      }
      if (file != null && Files.isDirectory(file)) {
        throw usage("--out " + file + " is a directory: give a file name, such as " + file.resolve(der ? "crl.der" : "crl.pem"));
      }
      Crl crl = api().getCrl();
      if (crl.getDer().isEmpty() || crl.getPem().isEmpty()) {
        throw new CliException(ExitCode.FAILURE, "the controller returned an empty CRL");
      }
      String pem = crl.getPem().endsWith("\n") ? crl.getPem() : crl.getPem() + "\n";
      if (file != null) {
        write(der ? crl.getDer().toByteArray() : pem.getBytes(StandardCharsets.US_ASCII));
        printer().print(CrlView.of(crl), () -> { });
        err().println("wrote CRL number " + crl.getCrlNumber() + " (" + crl.getRevokedCount()
            + " revoked certificates) to " + file + "; its next update is due "
            + Human.timeAndRelative(crl.getNextUpdate(), now()));
      } else if (der) {
        out().flush();
        OutputStream raw = context().binaryOut();
        crl.getDer().writeTo(raw);
        raw.flush();
      } else {
        printer().print(CrlView.of(crl), () -> out().print(pem));
      }
    }

    private void write(byte[] content) {
      try {
        AtomicFiles.writePublic(file, content);
      } catch (IOException e) {
        throw new CliException(ExitCode.FAILURE, "cannot write " + file + ": " + e.getMessage());
      }
    }
  }
}
