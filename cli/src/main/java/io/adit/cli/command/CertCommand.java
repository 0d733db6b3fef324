package io.adit.cli.command;

import io.adit.api.v1.Identity;
import io.adit.api.v1.Revocation;
import io.adit.api.v1.TrustBundle;
import io.adit.cli.output.CertificateReport;
import io.adit.cli.output.Human;
import io.adit.cli.output.Table;
import io.adit.cli.output.Views;
import io.adit.cli.output.Views.RevocationView;
import io.adit.common.pki.Pem;
import io.adit.common.pki.SpiffeId;
import io.adit.common.validation.InvalidInputException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code aditctl cert ...}: single certificates, by serial. */
@Command(name = "cert", description = "Explain, revoke and list single certificates.",
    subcommands = {CertCommand.Inspect.class, CertCommand.Revoke.class, CertCommand.Revocations.class},
    footer = {"%nExample:", "  aditctl cert revoke $(openssl x509 -in client1.crt -noout -serial)"})
final class CertCommand {

  @Command(name = "inspect", description = {"Explain a certificate in plain words and check it against the cluster.",
      "Prints every field (validity and time left, names, key usages, key ids, CRL points, SHA-256), then checks"
          + " it against the cluster's trust bundle, the revocations and its identity, and says exactly why it"
          + " would be refused, if it would (exit code 1)."},
      footer = {"%nExamples:", "  aditctl cert inspect client1/client1.crt",
          "  aditctl cert inspect server.pem --offline      # the fields only, no controller"})
  static final class Inspect extends ApiCommand {
    @Parameters(paramLabel = "FILE", description = "A PEM (or DER) certificate; the first one in the file is inspected.")
    Path file;

    @Option(names = "--offline", description = "Print the fields only; do not ask the controller.")
    boolean offline;

    @Override
    protected void run() {
      X509Certificate cert = read(file);
      List<CertificateReport.Check> checks = offline ? List.of() : checks(cert);
      CertificateReport report = CertificateReport.of(cert, now(), checks);
      printer().print(report, () -> report.print(out()));
      out().flush();
      checks.stream().filter(c -> !c.ok()).findFirst().ifPresent(c -> {
        throw new CliException(ExitCode.FAILURE, "the cluster would refuse this certificate: " + c.detail());
      });
    }

    private static X509Certificate read(Path file) {
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(file);
      } catch (NoSuchFileException e) {
        throw new InvalidInputException(file + ": no such file");
      } catch (IOException e) {
        throw new InvalidInputException("cannot read " + file + ": " + e.getMessage());
      }
      String text = new String(bytes, StandardCharsets.ISO_8859_1);
      try {
        if (text.contains("-----BEGIN CERTIFICATE-----")) {
          return Pem.certificates(text).get(0);
        }
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(bytes));
      } catch (Exception e) {
        throw new InvalidInputException(file + " holds no certificate (PEM or DER) that can be read: " + e.getMessage());
      }
    }

    private List<CertificateReport.Check> checks(X509Certificate cert) {
      List<CertificateReport.Check> out = new ArrayList<>();
      TrustBundle bundle = api().getTrustBundle();
      Optional<X509Certificate> ca = Pem.certificates(bundle.getPem()).stream()
          .filter(c -> c.getSubjectX500Principal().equals(cert.getIssuerX500Principal()) && signs(c, cert)).findFirst();
      out.add(new CertificateReport.Check("issuer", ca.isPresent(), ca.isPresent()
          ? "signed by the cluster CA " + ca.get().getSubjectX500Principal().getName()
          : "not signed by any CA in the cluster's trust bundle (its issuer is " + cert.getIssuerX500Principal().getName()
              + ")"));
      Instant now = now();
      Instant notBefore = cert.getNotBefore().toInstant();
      Instant notAfter = cert.getNotAfter().toInstant();
      out.add(new CertificateReport.Check("validity", !now.isBefore(notBefore) && !now.isAfter(notAfter),
          now.isAfter(notAfter) ? "expired at " + notAfter + " (" + Human.relative(notAfter, now) + ")"
              : now.isBefore(notBefore) ? "not valid before " + notBefore + " (is a clock wrong?)"
              : "valid until " + notAfter + " (" + Human.relative(notAfter, now) + ")"));
      out.add(cert.getBasicConstraints() >= 0
          ? new CertificateReport.Check("usage", false, "it is a CA certificate, not one a client or server presents")
          : new CertificateReport.Check("usage", true, "a leaf certificate"));
      String serial = cert.getSerialNumber().toString(16);
      Optional<Revocation> revoked = api().listRevocations().stream().filter(r -> r.getSerial().equals(serial)).findFirst();
      out.add(new CertificateReport.Check("revocation", revoked.isEmpty(), revoked.map(r -> "serial " + serial
          + " was revoked at " + Human.time(r.getRevokeTime()) + " by " + r.getRevokedBy()
          + (r.getReason().isEmpty() ? "" : " (" + r.getReason() + ")")).orElse("not revoked")));
      Optional<SpiffeId> id = SpiffeId.of(cert);
      if (id.isEmpty()) {
        out.add(new CertificateReport.Check("identity", true, "no Adit identity (spiffe:// URI): relays see it as "
            + cert.getSubjectX500Principal().getName() + ", so services with --allow refuse it"));
      } else if (!id.get().trustDomain().equals(bundle.getTrustDomain())) {
        out.add(new CertificateReport.Check("identity", false, "it is for trust domain " + id.get().trustDomain()
            + ", this cluster is " + bundle.getTrustDomain()));
      } else if (id.get().kind() == SpiffeId.Kind.CLIENT) {
        out.add(identityCheck(id.get().name()));
      } else {
        out.add(new CertificateReport.Check("identity", true, id.get().toString()));
      }
      return out;
    }

    private CertificateReport.Check identityCheck(String name) {
      try {
        Identity identity = api().getIdentity(name);
        return identity.getRevoked()
            ? new CertificateReport.Check("identity", false, "identity " + name + " was revoked at "
                + Human.time(identity.getRevokeTime()) + " by " + identity.getRevokedBy())
            : new CertificateReport.Check("identity", true, "client identity " + name);
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
          return new CertificateReport.Check("identity", false, "identity " + name + " does not exist in this cluster");
        }
        throw e;
      }
    }

    private static boolean signs(X509Certificate ca, X509Certificate cert) {
      try {
        cert.verify(ca.getPublicKey());
        return true;
      } catch (GeneralSecurityException e) {
        return false;
      }
    }
  }

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
