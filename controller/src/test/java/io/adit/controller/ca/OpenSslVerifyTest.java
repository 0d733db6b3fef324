package io.adit.controller.ca;

import io.adit.testing.OpenSsl;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.common.pki.Keys;
import io.adit.common.pki.Pem;
import io.adit.common.pki.SpiffeId;
import io.adit.common.pki.SpiffeId.Kind;
import io.adit.controller.ca.CertificateSigner.LeafRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What OpenSSL, and so stunnel, thinks of Adit's CA and the certificates it signs. */
class OpenSslVerifyTest {
  private static CaMaterial ca;

  @TempDir Path dir;

  @BeforeAll
  static void createCa() {
    ca = Authorities.createRoot("adit.local", Clock.systemUTC());
  }

  private String verify(X509Certificate leaf, String... extra) throws Exception {
    Files.writeString(dir.resolve("ca.crt"), Pem.encode(ca.certificate()));
    Files.writeString(dir.resolve("leaf.crt"), Pem.encode(leaf));
    List<String> args = new java.util.ArrayList<>(List.of("verify", "-x509_strict"));
    args.addAll(List.of(extra));
    args.addAll(List.of("-CAfile", "ca.crt", "leaf.crt"));
    return OpenSsl.ok(dir, args.toArray(String[]::new));
  }

  private static X509Certificate issue(KeyPair keys, LeafRequest request) {
    return new CertificateSigner(ca, Clock.systemUTC()).sign(Keys.csr(keys, "ignored"), request);
  }

  @ParameterizedTest(name = "{0} certificates are good for {1}")
  @CsvSource({
      "SERVICE, sslserver",
      "CLIENT, sslclient",
      "ADMIN, sslclient",
      "NODE, sslserver",
      "NODE, sslclient",
      "CONTROLLER, sslserver",
      "CONTROLLER, sslclient"})
  void passesStrictVerificationForItsPurpose(Kind kind, String purpose) throws Exception {
    X509Certificate leaf = issue(Keys.generateP256(), LeafRequest.of(kind == Kind.CONTROLLER
        ? SpiffeId.controller("adit.local") : new SpiffeId("adit.local", kind, "n1"), Duration.ofHours(1)));

    assertThat(verify(leaf, "-purpose", purpose)).contains("leaf.crt: OK");
  }

  @Test
  void serviceCertificatesAreNotClientCertificates() throws Exception {
    X509Certificate leaf = issue(Keys.generateP256(),
        LeafRequest.of(new SpiffeId("adit.local", Kind.SERVICE, "web"), Duration.ofHours(1)));
    Files.writeString(dir.resolve("ca.crt"), Pem.encode(ca.certificate()));
    Files.writeString(dir.resolve("leaf.crt"), Pem.encode(leaf));

    OpenSsl.Result r = OpenSsl.run(dir, "verify", "-purpose", "sslclient", "-CAfile", "ca.crt", "leaf.crt");

    assertThat(r.exitCode()).as(r.output()).isNotZero();
  }

  @Test
  void passesWithNamesAddressesAndAnRsaKey() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    X509Certificate leaf = issue(g.generateKeyPair(), new LeafRequest(new SpiffeId("adit.local", Kind.SERVICE, "web"),
        List.of("web", "web.example.com"), List.of("127.0.0.1", "::1"), Duration.ofSeconds(5)));

    assertThat(verify(leaf, "-purpose", "sslserver", "-verify_hostname", "web.example.com")).contains("leaf.crt: OK");
    assertThat(verify(leaf, "-verify_ip", "::1")).contains("leaf.crt: OK");
  }
}
