package io.adit.agent.relay;

import static io.adit.agent.relay.RelayFixture.CA;
import static io.adit.agent.relay.RelayFixture.CLIENT1;
import static io.adit.agent.relay.RelayFixture.serverSpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.adit.agent.tls.Provider;
import io.adit.agent.tls.Verify;
import io.adit.common.pki.Pem;
import io.adit.testing.OpenSsl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The real {@code openssl s_client} against a server-mode relay: what stunnel users will see. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OpenSslInteropIT {
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
    Files.writeString(dir.resolve("client1.crt"), Pem.encode(CLIENT1.cert()));
    Files.writeString(dir.resolve("client1.key"), Pem.encode(CLIENT1.key()));
  }

  @AfterEach
  void tearDown() throws Exception {
    fixture.close();
  }

  @ParameterizedTest
  @EnumSource(Provider.class)
  void sClientVerifiesTheChainAndIsLetInWithItsCertificate(Provider provider) throws Exception {
    Relay relay = fixture.startServer(serverSpec(echo.address()).verify(Verify.REQUIRE).allow("client1").build(),
        provider, listener);

    String out = OpenSsl.ok(dir, "s_client", "-connect", "127.0.0.1:" + relay.localAddress().getPort(),
        "-servername", "service1", "-verify_hostname", "service1", "-CAfile", "ca.crt",
        "-cert", "client1.crt", "-key", "client1.key", "-verify_return_error");

    assertThat(out).contains("Verify return code: 0 (ok)").contains("TLSv1.3");
    await().until(() -> listener.opened.size() == 1);
    assertThat(listener.opened.get(0).identity()).isEqualTo("client1");
    assertThat(listener.failures).isEmpty();
  }

  @Test
  void tls12ClientGetsAnEcdheAeadSuite() throws Exception {
    Relay relay = fixture.startServer(serverSpec(echo.address()).verify(Verify.NONE).build(), Provider.best(), listener);

    String out = OpenSsl.ok(dir, "s_client", "-connect", "127.0.0.1:" + relay.localAddress().getPort(),
        "-servername", "service1", "-CAfile", "ca.crt", "-tls1_2", "-verify_return_error");

    assertThat(out).contains("Verify return code: 0 (ok)").containsPattern("Cipher is ECDHE-ECDSA-(AES\\d+-GCM|CHACHA20-POLY1305)");
  }

  @Test
  void tls12ClientIsRefusedWhereTls13IsTheMinimum() throws Exception {
    Relay relay = fixture.startServer(serverSpec(echo.address()).verify(Verify.NONE).minTlsVersion("1.3").build(),
        Provider.best(), listener);

    OpenSsl.Result result = OpenSsl.run(dir, "s_client", "-connect", "127.0.0.1:" + relay.localAddress().getPort(),
        "-servername", "service1", "-CAfile", "ca.crt", "-tls1_2");

    assertThat(result.output()).contains("alert protocol version");
    await().until(() -> !listener.failures.isEmpty());
    assertThat(listener.failures).singleElement().asString().isEqualTo("client offers no TLS version this service accepts");
  }

  @Test
  void sClientWithoutCertificateIsRefusedWithThePlainReason() throws Exception {
    Relay relay = fixture.startServer(serverSpec(echo.address()).verify(Verify.REQUIRE).build(), Provider.best(), listener);

    OpenSsl.run(dir, "s_client", "-connect", "127.0.0.1:" + relay.localAddress().getPort(),
        "-servername", "service1", "-CAfile", "ca.crt");

    await().until(() -> !listener.failures.isEmpty());
    assertThat(listener.failures).containsExactly("client presented no certificate");
    assertThat(echo.accepted).hasValue(0);
  }
}
