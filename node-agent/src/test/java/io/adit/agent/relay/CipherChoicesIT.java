package io.adit.agent.relay;

import static io.adit.agent.relay.RelayFixture.CA;
import static io.adit.agent.relay.RelayFixture.serverSpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.adit.agent.tls.Provider;
import io.adit.agent.tls.TlsChoices;
import io.adit.agent.tls.Verify;
import io.adit.common.pki.Pem;
import io.adit.testing.OpenSsl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A service's ciphers, ciphersuites and curves as the real {@code openssl s_client} meets them:
 * a client offering only what the service left out is refused, one offering what it kept gets in.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CipherChoicesIT {
  @TempDir
  Path dir;
  private RelayFixture fixture;
  private TcpBackend echo;
  private final RecordingListener listener = new RecordingListener();

  @BeforeEach
  void setUp() throws Exception {
    fixture = new RelayFixture();
    echo = fixture.closeLater(TcpBackend.echo());
    Files.writeString(dir.resolve("ca.crt"), Pem.encode(CA.cert()));
  }

  @AfterEach
  void tearDown() throws Exception {
    fixture.close();
  }

  @ParameterizedTest
  @EnumSource(Provider.class)
  void aServiceWithOneTls12SuiteAcceptsItAndRefusesAnother(Provider provider) throws Exception {
    Relay relay = start(new TlsChoices(List.of("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"), List.of(), List.of()), provider);

    String ok = OpenSsl.ok(dir, client(relay, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"));
    assertThat(ok).contains("Cipher is ECDHE-ECDSA-AES128-GCM-SHA256").contains("Verify return code: 0 (ok)");

    OpenSsl.Result refused = OpenSsl.run(dir, client(relay, "-tls1_2", "-cipher", "ECDHE-ECDSA-CHACHA20-POLY1305"));
    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.output()).doesNotContain("Cipher is ECDHE-ECDSA-CHACHA20-POLY1305");
    await().until(() -> !listener.failures.isEmpty());
    assertThat(listener.failures).singleElement().asString().contains("offers no cipher suite or key-exchange group in common");
  }

  @Test
  void aServiceWithX25519RefusesAClientOfferingOnlyP384() throws Exception {
    Relay relay = start(new TlsChoices(List.of(), List.of(), List.of("X25519")), Provider.OPENSSL);

    OpenSsl.Result refused = OpenSsl.run(dir, client(relay, "-groups", "P-384"));
    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.output()).contains("handshake failure");
    await().until(() -> !listener.failures.isEmpty());

    String ok = OpenSsl.ok(dir, client(relay, "-groups", "X25519"));
    assertThat(ok).contains("Server Temp Key: X25519").contains("Verify return code: 0 (ok)");
    // TLS 1.2 follows the same list.
    assertThat(OpenSsl.run(dir, client(relay, "-tls1_2", "-groups", "P-384")).exitCode()).isNotZero();
  }

  @Test
  void theJdkProviderNarrowsTheTls13Suites() throws Exception {
    Relay relay = start(new TlsChoices(List.of(), List.of("TLS_AES_256_GCM_SHA384"), List.of()), Provider.JDK);

    assertThat(OpenSsl.ok(dir, client(relay, "-ciphersuites", "TLS_AES_256_GCM_SHA384")))
        .contains("Cipher is TLS_AES_256_GCM_SHA384");
    assertThat(OpenSsl.run(dir, client(relay, "-ciphersuites", "TLS_AES_128_GCM_SHA256")).exitCode()).isNotZero();
  }

  private Relay start(TlsChoices choices, Provider provider) throws RelayBindException {
    return fixture.startServer(serverSpec(echo.address()).verify(Verify.NONE).tlsChoices(choices).build(), provider,
        listener);
  }

  private static String[] client(Relay relay, String... options) {
    List<String> args = new java.util.ArrayList<>(List.of("s_client", "-connect", "127.0.0.1:" + relay.localAddress().getPort(),
        "-servername", "service1", "-CAfile", "ca.crt", "-verify_return_error"));
    args.addAll(List.of(options));
    return args.toArray(String[]::new);
  }
}
