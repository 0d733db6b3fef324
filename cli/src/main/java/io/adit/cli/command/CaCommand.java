package io.adit.cli.command;

import io.adit.api.v1.CertificateAuthority;
import io.adit.api.v1.Crl;
import io.adit.api.v1.ListCasResponse;
import io.adit.api.v1.RotateCaResponse;
import io.adit.cli.output.Table;
import io.adit.cli.output.Views.CaView;
import io.adit.common.config.ClientConfig;
import io.adit.common.validation.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
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
    subcommands = {CaCommand.Get.class, CaCommand.CrlCommand.class, CaCommand.ListCas.class, CaCommand.Rotate.class},
    footer = {"%nExamples:", "  aditctl ca get > ca.crt", "  aditctl ca crl > crl.pem", "  aditctl ca list",
        "  aditctl ca rotate"})
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
          "  # during a CA rotation, the CRLs of both CAs:",
          "  aditctl ca crl --all --out /etc/stunnel/crl.pem",
          "  # its number, thisUpdate, nextUpdate and how many it lists:",
          "  aditctl ca crl -o json"})
  static final class CrlCommand extends ApiCommand {
    @Option(names = "--der", description = "DER (binary) instead of PEM; refused on a terminal, so redirect it or use --out.")
    boolean der;

    @Option(names = "--out", paramLabel = "FILE",
        description = "Write the CRL to FILE (replaced atomically, mode 0644) instead of stdout.")
    Path file;

    @Option(names = "--ca", paramLabel = "ID", description = "The CRL of this CA (an id from aditctl ca list) instead of"
        + " the active CA's: during a CA rotation a certificate of the old CA is listed in the old CA's CRL.")
    String caId;

    @Option(names = "--all", description = "The CRLs of every trusted CA in one PEM file, the active CA's first"
        + " (stunnel's CRLfile and openssl verify -CRLfile take several): the one to use during a CA rotation.")
    boolean all;

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
      if (all && (der || caId != null)) {
        throw usage("--all gives every trusted CA's CRL in one PEM: it goes with neither --der nor --ca");
      }
      Crl crl = caId == null && !all ? api().getCrl()
          : api().getCrl(io.adit.api.v1.GetCrlRequest.newBuilder().setCaId(caId == null ? "" : caId).setAllTrusted(all).build());
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

  @Command(name = "list", description = {"List the cluster's CAs: their state and what each waits for.",
      "prepared: in the trust bundle, not signing yet; it activates once every Ready node holds the bundle with it.",
      "active: signs every new certificate.",
      "retiring: no longer signs, still trusted until the last certificate it signed expires.",
      "retired: out of the trust bundle."},
      footer = {"%nExamples:", "  aditctl ca list", "  aditctl ca list -o json"})
  static final class ListCas extends ApiCommand {
    @Override
    protected void run() {
      ListCasResponse cas = api().listCas();
      printer().print(cas.getAuthoritiesList().stream().map(CaView::of).toList(), () -> {
        Table t = Table.of("ID", "STATE", "SUBJECT", "NOT AFTER", "WAITING FOR");
        for (CertificateAuthority ca : cas.getAuthoritiesList()) {
          t.row(ca.getId(), ca.getState(), ca.getSubject(), Human.time(ca.getNotAfter()), waitingFor(ca, now()));
        }
        t.print(out());
      });
    }
  }

  /** What a CA waits for, in words: the nodes behind, or when it retires and why. */
  static String waitingFor(CertificateAuthority ca, Instant now) {
    switch (ca.getState()) {
      case "prepared" -> {
        if (ca.getWaitingForNodesCount() > 0) {
          return "waiting for: " + String.join(", ", ca.getWaitingForNodesList()) + " (older trust bundle)";
        }
        Instant earliest = Human.instant(ca.getEarliestActivation());
        return earliest != null && earliest.isAfter(now)
            ? "activates " + Human.relative(earliest, now) + " (every controller trusts it first)"
            : "activates at the next check (every Ready node holds the new bundle)";
      }
      case "active" -> {
        return "- (signs new certificates)";
      }
      case "retiring" -> {
        String last = ca.getLastCertificate().isEmpty() ? "" : " (" + ca.getLastCertificate() + " expires last)";
        return "retires after " + Human.timeAndRelative(ca.getRetireTime(), now) + last;
      }
      default -> {
        return "- (retired " + Human.time(ca.getStateTime()) + ")";
      }
    }
  }

  @Command(name = "rotate", description = {"Start a CA rotation, and return at once (--wait to block until the new CA signs).",
      "A new CA joins the trust bundle now; it signs only once every Ready agent reports that it holds the new bundle."
          + " Certificates then renew from it at about half their lifetime; live connections are not touched."
          + " The old CA stays trusted until the last certificate it signed has expired, then leaves the bundle.",
      "Anything outside the cluster that trusts an older ca.crt (stunnel CAfile, ncat --ssl-trustfile,"
          + " openssl -CAfile) must get the new bundle (aditctl ca get) before the new CA activates."},
      footer = {"%nExamples:", "  aditctl ca rotate", "  aditctl ca rotate --wait 5m", "  aditctl ca get > ca.crt",
          "  aditctl ca list"})
  static final class Rotate extends ApiCommand {
    @Option(names = "--wait", paramLabel = "DURATION",
        description = "Wait up to DURATION for the new CA to activate (exit 6 if it has not by then).")
    String wait;

    @Option(names = "--no-update-config", description = "Leave this aditctl config file's CA bundle as it is.")
    boolean keepConfig;

    @Override
    protected void run() throws IOException {
      Duration deadline = wait == null ? null : Durations.parse("--wait", wait);
      RotateCaResponse r = api().rotateCa();
      CertificateAuthority ca = r.getPrepared();
      String updated = keepConfig ? null : updateConfig(r.getBundlePem());
      if (printer().structured() && deadline == null) {
        printer().print(CaView.of(ca), () -> { });
        return;
      }
      if (!printer().structured()) {
        out().println("prepared CA " + ca.getId() + " (" + ca.getSubject() + "): it is in the trust bundle now and signs"
            + " once every Ready node holds the new bundle");
        if (updated != null) {
          out().println("updated the CA bundle in " + updated);
        }
        out().println("next:");
        out().println("  - give the new bundle to everything outside the cluster that trusts ca.crt (stunnel CAfile,"
            + " ncat --ssl-trustfile, openssl -CAfile) before the new CA activates: aditctl ca get > ca.crt");
        out().println("  - follow the rotation with: aditctl ca list");
        out().flush();
      }
      if (deadline != null) {
        CertificateAuthority now = awaitActive(ca.getId(), deadline);
        printer().print(CaView.of(now), () -> out().println("CA " + now.getId() + " is active: new certificates come from"
            + " it; the old CA retires once the last certificate it signed has expired (aditctl ca list)"));
      }
    }

    /** Asks the controller once a second until CA {@code id} is no longer prepared, or {@code wait} passes. */
    private CertificateAuthority awaitActive(String id, Duration wait) {
      AtomicReference<CertificateAuthority> last = new AtomicReference<>();
      CompletableFuture<CertificateAuthority> active = new CompletableFuture<>();
      ScheduledExecutorService poll = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ca-wait");
        t.setDaemon(true);
        return t;
      });
      poll.scheduleWithFixedDelay(() -> {
        try {
          CertificateAuthority ca = api().listCas().getAuthoritiesList().stream().filter(c -> c.getId().equals(id))
              .findFirst().orElseThrow(() -> new CliException(ExitCode.FAILURE, "CA " + id + " is no longer listed"));
          last.set(ca);
          if (!ca.getState().equals("prepared")) {
            active.complete(ca);
          }
        } catch (RuntimeException e) {
          active.completeExceptionally(e);
        }
      }, 0, 1, TimeUnit.SECONDS);
      try {
        return active.get(wait.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        CertificateAuthority ca = last.get();
        throw new CliException(ExitCode.UNAVAILABLE, "CA " + id + " is not active after " + Durations.format(wait) + ": "
            + (ca == null ? "the controller did not answer" : waitingFor(ca, now()))
            + "; the rotation goes on, follow it with aditctl ca list");
      } catch (ExecutionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : new CliException(ExitCode.FAILURE, e.getCause().getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException(ExitCode.FAILURE, "interrupted while waiting for CA " + id);
      } finally {
        poll.shutdownNow();
      }
    }

    /** Puts the new bundle into this command's own config file, so it keeps trusting the controllers. */
    private String updateConfig(String bundlePem) {
      Path file = api().target().configFile();
      try {
        ClientConfig c = ClientConfig.read(file);
        ClientConfig.of(c.controllers(), c.trustDomain(), c.identity(), bundlePem, c.certPem(), c.keyPem()).write(file);
        return file.toString();
      } catch (IOException | RuntimeException e) {
        err().println("warning: cannot put the new CA bundle into " + file + " (" + e.getMessage()
            + "): write it yourself with aditctl ca get before the new CA activates");
        return null;
      }
    }
  }
}
