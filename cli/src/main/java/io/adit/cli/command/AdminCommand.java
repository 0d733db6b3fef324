package io.adit.cli.command;

import io.adit.api.v1.Kind;
import io.adit.api.v1.SignCertificateRequest;
import io.adit.api.v1.SignCertificateResponse;
import io.adit.api.v1.TrustBundle;
import io.adit.cli.output.Human;
import io.adit.common.config.ClientConfig;
import io.adit.common.pki.Keys;
import io.adit.common.pki.Pem;
import io.adit.common.pki.SpiffeId;
import io.adit.common.validation.Durations;
import io.adit.common.validation.Names;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code aditctl admin ...}: credentials for people who run the cluster. */
@Command(name = "admin", description = "Credentials for the people who run the cluster.",
    subcommands = AdminCommand.Issue.class,
    footer = {"%nExample:", "  aditctl admin issue alice --out alice.conf"})
final class AdminCommand {

  @Command(name = "issue", description = {"Write a named admin credential: a config file for aditctl --config.",
      "The key is made here and never leaves this machine. The name is what the controller logs (and will"
          + " audit) as the caller, so give each person their own; revoke one with aditctl cert revoke SERIAL."},
      footer = {"%nExamples:",
          "  aditctl admin issue alice --out alice.conf --ttl 30d",
          "  ADIT_CONFIG=alice.conf aditctl service list"})
  static final class Issue extends ApiCommand {
    @Parameters(paramLabel = "NAME", description = "Who the credential is for, a DNS label (e.g. alice).")
    String name;

    @Option(names = "--out", paramLabel = "FILE", required = true,
        description = "The config file to write (mode 0600); it must not exist yet unless --force.")
    Path file;

    @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "30d",
        description = "Requested lifetime (default ${DEFAULT-VALUE}); capped by the controller's --max-ttl.")
    String ttl;

    @Option(names = "--force", description = "Replace FILE if it exists.")
    boolean force;

    @Override
    protected void run() throws IOException {
      Names.requireDnsLabel("admin name", name);
      long seconds = Durations.parse("--ttl", ttl).getSeconds();
      if (!force && Files.exists(file)) {
        throw new CliException(ExitCode.CONFLICT, file + " already exists: pass --force to replace it, or choose another --out");
      }
      TrustBundle bundle = api().getTrustBundle();
      KeyPair keys = Keys.generateP256();
      SignCertificateResponse signed = api().signCertificate(SignCertificateRequest.newBuilder()
          .setKind(Kind.KIND_ADMIN).setName(name).setTtlSeconds(seconds)
          .setCsrPem(Pem.encode(Keys.csr(keys, name))).build());
      X509Certificate cert = Pem.certificate(signed.getCertificatePem());
      if (!cert.getPublicKey().equals(keys.getPublic())) {
        throw new CliException(ExitCode.FAILURE, "the controller returned a certificate for another key; nothing was written");
      }
      ClientConfig config = ClientConfig.of(api().target().endpoints(), bundle.getTrustDomain(),
          new SpiffeId(bundle.getTrustDomain(), SpiffeId.Kind.ADMIN, name).toString(),
          signed.getTrustBundlePem().isEmpty() ? bundle.getPem() : signed.getTrustBundlePem(),
          signed.getCertificatePem(), Pem.encode(keys.getPrivate()));
      try {
        config.write(file);
      } catch (IOException e) {
        throw new CliException(ExitCode.FAILURE, "cannot write " + file + ": " + e.getMessage());
      }
      out().println(file);
      err().println("issued an admin credential for " + name + ": serial " + Keys.serialHex(cert) + ", expires "
          + cert.getNotAfter().toInstant() + " (" + Human.relative(cert.getNotAfter().toInstant(), now()) + ")");
    }
  }
}
