package io.adit.cli.command;

import io.adit.api.v1.Identity;
import io.adit.api.v1.Kind;
import io.adit.api.v1.SignCertificateRequest;
import io.adit.api.v1.SignCertificateResponse;
import io.adit.cli.output.Human;
import io.adit.cli.output.Views.IssuedView;
import io.adit.common.files.AtomicFiles;
import io.adit.common.pki.Keys;
import io.adit.common.pki.Pem;
import io.adit.common.validation.Durations;
import io.adit.common.validation.Names;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code aditctl identity issue NAME --out DIR}: a key made here, a certificate signed by the
 * controller, and the files stunnel, curl and openssl read as they are.
 *
 * <p>Everything that could make the command refuse is checked before the certificate is
 * requested, so a refusal never leaves an issued certificate behind that nobody holds the key for.
 */
@Command(name = "issue", description = {"Issue a client certificate for an identity into a directory.",
    "Makes the P-256 key here (it never leaves this machine), has the controller sign it, and writes"
        + " DIR/NAME.key (mode 0600), DIR/NAME.crt and DIR/ca.crt."},
    footer = {"%nExamples:",
        "  aditctl identity issue client1 --out ./client1 --ttl 12h",
        "  curl --cert client1/client1.crt --key client1/client1.key \\",
        "       --cacert client1/ca.crt https://web:443/"})
final class IssueCommand extends ApiCommand {
  @Parameters(paramLabel = "NAME", description = "The identity to issue a certificate for.")
  String name;

  @Option(names = "--out", paramLabel = "DIR", required = true,
      description = "Directory to write the files into; created (mode 0700) if missing.")
  Path dir;

  @Option(names = "--ttl", paramLabel = "DURATION",
      description = "Requested lifetime, e.g. 24h; capped by the controller. Default: the controller's.")
  String ttl;

  @Option(names = "--force", description = "Replace an existing NAME.key, NAME.crt or a different ca.crt.")
  boolean force;

  @Override
  protected void run() throws IOException {
    Names.requireDnsLabel("identity name", name);
    long ttlSeconds = ttl == null ? 0 : Durations.parse("--ttl", ttl).getSeconds();
    Path keyFile = dir.resolve(name + ".key");
    Path certFile = dir.resolve(name + ".crt");
    Path caFile = dir.resolve("ca.crt");

    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw usage("--out " + dir + " is a file, not a directory: give a directory to write the files into");
    }
    refuseToReplace(keyFile);
    refuseToReplace(certFile);
    Identity identity = api().getIdentity(name);
    if (identity.getRevoked()) {
      throw new CliException(ExitCode.CONFLICT, "identity " + name
          + " is revoked, so no certificate can be issued for it: create another identity");
    }
    String bundle = api().getTrustBundle().getPem();
    boolean caUpToDate = refuseOtherCa(caFile, bundle);
    try {
      AtomicFiles.ensurePrivateDirectory(dir);
    } catch (IOException e) {
      throw new CliException(ExitCode.FAILURE, "cannot create --out directory " + dir + ": " + e.getMessage());
    }
    if (!Files.isWritable(dir)) {
      throw new CliException(ExitCode.FAILURE, "cannot write into --out directory " + dir
          + ": permission denied; choose another --out");
    }

    KeyPair keys = Keys.generateP256();
    SignCertificateResponse signed = api().signCertificate(SignCertificateRequest.newBuilder()
        .setKind(Kind.KIND_CLIENT)
        .setName(name)
        .setTtlSeconds(ttlSeconds)
        .setCsrPem(Pem.encode(Keys.csr(keys, name)))
        .build());
    X509Certificate cert = Pem.certificate(signed.getCertificatePem());
    if (!cert.getPublicKey().equals(keys.getPublic())) {
      throw new CliException(ExitCode.FAILURE, "the controller returned a certificate for another key; nothing was written");
    }
    if (!signed.getTrustBundlePem().isEmpty() && !signed.getTrustBundlePem().equals(bundle)) {
      bundle = signed.getTrustBundlePem(); // the CA changed in between: check again
      caUpToDate = refuseOtherCa(caFile, bundle);
    }

    if (!caUpToDate) {
      write(caFile, bundle, false);
    }
    write(keyFile, Pem.encode(keys.getPrivate()), true);
    write(certFile, signed.getCertificatePem(), false);

    String serial = signed.getSerial().isEmpty() ? Keys.serialHex(cert) : signed.getSerial();
    String notAfter = cert.getNotAfter().toInstant().toString();
    printer().print(new IssuedView(name, keyFile.toString(), certFile.toString(), caFile.toString(), serial, notAfter),
        () -> List.of(keyFile, certFile, caFile).forEach(out()::println));
    err().println("issued a client certificate for " + name + ": serial " + serial + ", expires " + notAfter
        + " (" + Human.relative(cert.getNotAfter().toInstant(), now()) + ")");
  }

  private void refuseToReplace(Path file) {
    if (!force && Files.exists(file)) {
      throw new CliException(ExitCode.CONFLICT, file + " already exists: pass --force to replace it, or choose another --out");
    }
  }

  /**
   * Whether {@code caFile} already holds exactly these CA certificates; refuses a different one
   * without {@code --force}, since other tools may trust that file for another cluster.
   */
  private boolean refuseOtherCa(Path caFile, String bundlePem) throws IOException {
    if (!Files.exists(caFile)) {
      return false;
    }
    boolean same;
    try {
      same = encoded(Pem.certificates(Files.readString(caFile))).equals(encoded(Pem.certificates(bundlePem)));
    } catch (IllegalArgumentException | IOException e) {
      same = false;
    }
    if (!same && !force) {
      throw new CliException(ExitCode.CONFLICT, caFile + " already exists and holds other CA certificates than this"
          + " cluster's: pass --force to replace it, or choose another --out");
    }
    return same;
  }

  /** The certificates' DER, for comparing bundles whatever their PEM line breaks and comments. */
  private static List<String> encoded(List<X509Certificate> certs) {
    List<String> out = new ArrayList<>();
    for (X509Certificate c : certs) {
      try {
        out.add(Base64.getEncoder().encodeToString(c.getEncoded()));
      } catch (CertificateEncodingException e) {
        throw new IllegalArgumentException(e);
      }
    }
    return out;
  }

  private static void write(Path file, String content, boolean secret) {
    try {
      if (secret) {
        AtomicFiles.writePrivate(file, content);
      } else {
        AtomicFiles.writePublic(file, content);
      }
    } catch (IOException e) {
      throw new CliException(ExitCode.FAILURE, "cannot write " + file + ": " + e.getMessage());
    }
  }
}
