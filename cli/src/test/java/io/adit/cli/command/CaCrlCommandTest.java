package io.adit.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.cli.Cli;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code aditctl ca crl}: PEM on stdout, --der as raw bytes, --out FILE written atomically. */
class CaCrlCommandTest {
  @TempDir
  Path dir;
  Cli cli;

  @BeforeEach
  void setUp() {
    cli = new Cli(dir);
  }

  @Test
  void printsThePemAndNothingElse() {
    var r = cli.run("ca", "crl");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo(cli.controller.crlPem());
    assertThat(r.err()).isEmpty();
    assertThat(cli.controller.calls).containsExactly("getCrl");
  }

  @Test
  void derWritesTheCrlsBytesToStdoutUnmodified() throws Exception {
    // Bytes above 0x7f are what a text writer would mangle.
    byte[] der = cli.controller.crlDer;
    assertThat(java.util.stream.IntStream.range(0, der.length).anyMatch(i -> (der[i] & 0x80) != 0)).isTrue();
    var r = cli.run("ca", "crl", "--der");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.outBytes()).isEqualTo(cli.controller.crlDer);
    assertThat(r.err()).isEmpty();
    X509CRL crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(r.outBytes()));
    assertThat(crl.getRevokedCertificate(BigInteger.valueOf(0x1234))).isNotNull();
  }

  @Test
  void derIsRefusedOnATerminalBeforeAskingTheController() {
    cli.stdoutIsTerminal = true;
    var r = cli.run("ca", "crl", "--der");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).startsWith("error: --der writes binary data, which a terminal cannot show: redirect stdout"
        + " (aditctl ca crl --der > crl.der) or use --out FILE\n");
    assertThat(r.outBytes()).isEmpty();
    assertThat(cli.controller.calls).isEmpty();
    // PEM is text: fine on a terminal.
    assertThat(cli.run("ca", "crl").out()).isEqualTo(cli.controller.crlPem());
  }

  @Test
  void outReplacesTheFileAtomicallyAndSaysWhatItWrote() throws Exception {
    Path file = dir.resolve("stunnel").resolve("crl.pem");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "an older CRL");
    var r = cli.run("ca", "crl", "--out", file.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(Files.readString(file)).isEqualTo(cli.controller.crlPem());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r--r--");
    try (var files = Files.list(file.getParent())) {
      assertThat(files).containsExactly(file); // no temporary file left behind
    }
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).isEqualTo("wrote CRL number 42 (1 revoked certificates) to " + file
        + "; its next update is due 2025-06-01T12:30:00Z (in 30m)\n");
  }

  @Test
  void outWithDerWritesTheDerEvenWhenStdoutIsATerminal() throws Exception {
    cli.stdoutIsTerminal = true;
    Path file = dir.resolve("crl.der");
    var r = cli.run("ca", "crl", "--der", "--out", file.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(Files.readAllBytes(file)).isEqualTo(cli.controller.crlDer);
    assertThat(r.outBytes()).isEmpty();
  }

  @Test
  void outNamingADirectoryIsAUsageError() {
    var r = cli.run("ca", "crl", "--out", dir.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).startsWith("error: --out " + dir + " is a directory: give a file name, such as "
        + dir.resolve("crl.pem"));
    assertThat(cli.controller.calls).isEmpty();
  }

  @Test
  void jsonGivesTheNumberTimesAndCountWithThePem() {
    var r = cli.run("ca", "crl", "-o", "json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("""
        {
          "crlNumber": 42,
          "thisUpdate": "2025-06-01T11:30:00Z",
          "nextUpdate": "2025-06-01T12:30:00Z",
          "revokedCount": 1,
          "pem": "-----BEGIN X509 CRL-----\\n""");
  }

  @Test
  void derAndJsonTogetherAreAUsageError() {
    var r = cli.run("ca", "crl", "--der", "-o", "json");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--der and -o json do not go together");
  }

  @Test
  void aControllerWithoutGetCrlIsNamedAsOlder() {
    cli.controller.failCall = "getCrl";
    cli.controller.failWith = Status.UNIMPLEMENTED;
    var r = cli.run("ca", "crl");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("does not know this call");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void helpShowsExamplesAndExitCodes() {
    var r = cli.run("ca", "crl", "--help");
    assertThat(r.exitCode()).isZero();
    assertThat(new String(r.outBytes(), StandardCharsets.UTF_8))
        .contains("--der", "--out=FILE", "Examples:", "openssl verify -crl_check", "Exit codes:");
  }
}
