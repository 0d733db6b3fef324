package io.adit.agent.relay;

import static io.adit.agent.relay.RelayFixture.CA;
import static io.adit.agent.relay.RelayFixture.CLIENT1;
import static io.adit.agent.relay.RelayFixture.serverSpec;
import static org.assertj.core.api.Assertions.assertThat;

import io.adit.agent.tls.Provider;
import io.adit.agent.tls.ReloadableTls;
import io.adit.agent.tls.TestPki;
import io.adit.agent.tls.TlsContexts;
import io.adit.agent.tls.Verify;
import io.netty.handler.ssl.SslContext;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Certificate renewal under traffic: new connections get the new certificate, live ones go on. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HotReloadIT {
  private RelayFixture fixture;
  private TcpBackend echo;

  @BeforeEach
  void setUp() throws Exception {
    fixture = new RelayFixture();
    echo = fixture.closeLater(TcpBackend.echo());
  }

  @AfterEach
  void tearDown() throws Exception {
    fixture.close();
  }

  @ParameterizedTest
  @EnumSource(Provider.class)
  void newConnectionsSeeRenewedCertificateWhileOpenOnesKeepWorking(Provider provider) throws Exception {
    TestPki.Leaf before = CA.server("service1");
    TestPki.Leaf after = CA.server("service1");
    ReloadableTls tls = new ReloadableTls(context(before, provider));
    Relay relay = fixture.start(serverSpec(echo.address()).build(), tls, RelayListener.NONE);
    int port = relay.localAddress().getPort();

    try (SSLSocket old = TlsClient.connect(port, CA, CLIENT1, "service1")) {
      assertThat(serverCertificate(old)).isEqualTo(before.cert());
      assertThat(TlsClient.roundTrip(old, "before")).isEqualTo("before");

      tls.update(context(after, provider));

      try (SSLSocket renewed = TlsClient.connect(port, CA, CLIENT1, "service1")) {
        assertThat(serverCertificate(renewed)).isEqualTo(after.cert());
        assertThat(TlsClient.roundTrip(renewed, "new")).isEqualTo("new");
      }
      assertThat(TlsClient.roundTrip(old, "still alive")).isEqualTo("still alive");
    }
  }

  private static SslContext context(TestPki.Leaf leaf, Provider provider) {
    return TlsContexts.forServer(leaf.key(), leaf.chain(), CA.trust(), Verify.REQUIRE, "1.2", provider);
  }

  private static X509Certificate serverCertificate(SSLSocket socket) throws Exception {
    return (X509Certificate) socket.getSession().getPeerCertificates()[0];
  }
}
