package io.adit.agent.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import java.util.List;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TlsContextsTest {
  private static final TestPki.Ca CA = TestPki.newCa("Test CA");
  private static final TestPki.Leaf SERVER = CA.server("service1");
  private static final TestPki.Leaf CLIENT = CA.client("client1");

  @ParameterizedTest
  @EnumSource(Provider.class)
  void serverOffersTls12And13WithAeadSuitesOnly(Provider provider) {
    SslContext ctx = TlsContexts.forServer(SERVER.key(), SERVER.chain(), CA.trust(), Verify.REQUIRE, "1.2", provider);

    SSLEngine engine = ctx.newEngine(ByteBufAllocator.DEFAULT);
    assertThat(protocols(engine)).containsExactlyInAnyOrder("TLSv1.2", "TLSv1.3");
    assertThat(ctx.cipherSuites()).isNotEmpty().allSatisfy(suite ->
        assertThat(suite).matches("TLS_AES_\\d+_GCM_SHA\\d+|TLS_CHACHA20_POLY1305_SHA256|TLS_ECDHE_(ECDSA|RSA)_WITH_(AES_\\d+_GCM_SHA\\d+|CHACHA20_POLY1305_SHA256)"));
    assertThat(engine.getNeedClientAuth()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(Provider.class)
  void minimumTls13OffersOnlyTls13(Provider provider) {
    SslContext ctx = TlsContexts.forServer(SERVER.key(), SERVER.chain(), CA.trust(), Verify.NONE, "1.3", provider);

    assertThat(protocols(ctx.newEngine(ByteBufAllocator.DEFAULT))).containsExactly("TLSv1.3");
  }

  @ParameterizedTest
  @EnumSource(Provider.class)
  void aServiceNarrowsTheTls12SuitesInItsOrder(Provider provider) {
    TlsChoices choices = new TlsChoices(
        List.of("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"), List.of(),
        List.of());
    SslContext ctx = TlsContexts.forServer(SERVER.key(), SERVER.chain(), CA.trust(), Verify.NONE, "1.2", provider,
        RevocationCheck.NONE, choices);

    assertThat(ctx.cipherSuites()).containsExactly("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
        "TLS_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
  }

  @Test
  void theJdkNarrowsTheTls13Suites() {
    TlsChoices choices = new TlsChoices(List.of(), List.of("TLS_AES_256_GCM_SHA384"), List.of());
    SslContext ctx = TlsContexts.forClient(null, null, CA.trust(), "1.3", Provider.JDK, RevocationCheck.NONE, choices);

    assertThat(ctx.cipherSuites()).startsWith("TLS_AES_256_GCM_SHA384").doesNotContain("TLS_AES_128_GCM_SHA256");
  }

  @Test
  void boringSslRefusesToLeaveOutATls13SuiteSayingWhy() {
    TlsChoices choices = new TlsChoices(List.of(), List.of("TLS_AES_256_GCM_SHA384"), List.of());

    assertThatThrownBy(() -> TlsContexts.forServer(SERVER.key(), SERVER.chain(), CA.trust(), Verify.NONE, "1.2",
        Provider.OPENSSL, RevocationCheck.NONE, choices))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ciphersuites TLS_AES_256_GCM_SHA384 cannot be applied: BoringSSL always offers all three TLS 1.3"
            + " suites; remove ciphersuites from the service, or run the agent with --tls-provider jdk");
    // All three, in another order, is what BoringSSL does anyway.
    TlsChoices all = new TlsChoices(List.of(),
        List.of("TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256"), List.of());
    assertThat(TlsContexts.forServer(SERVER.key(), SERVER.chain(), CA.trust(), Verify.NONE, "1.2", Provider.OPENSSL,
        RevocationCheck.NONE, all)).isNotNull();
  }

  @Test
  void curvesNeedBoringSsl() {
    TlsChoices choices = new TlsChoices(List.of(), List.of(), List.of("X25519"));

    assertThat(TlsContexts.forServer(SERVER.key(), SERVER.chain(), CA.trust(), Verify.NONE, "1.2", Provider.OPENSSL,
        RevocationCheck.NONE, choices)).isNotNull();
    assertThatThrownBy(() -> TlsContexts.forServer(SERVER.key(), SERVER.chain(), CA.trust(), Verify.NONE, "1.2",
        Provider.JDK, RevocationCheck.NONE, choices))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("curves X25519 cannot be applied: the JDK's TLS engine cannot set key-exchange groups per service;"
            + " remove curves from the service, or run the agent with BoringSSL (--tls-provider openssl, the default)");
  }

  /** Real protocol versions: Netty's BoringSSL engine also lists the pseudo-protocol SSLv2Hello. */
  private static List<String> protocols(SSLEngine engine) {
    return java.util.Arrays.stream(engine.getEnabledProtocols()).filter(p -> !p.equals("SSLv2Hello")).toList();
  }

  @Test
  void verifyDecidesWhetherClientsAreAskedForACertificate() {
    SSLEngine optional = TlsContexts.forServer(SERVER.key(), SERVER.chain(), CA.trust(), Verify.OPTIONAL, "1.2", Provider.JDK)
        .newEngine(ByteBufAllocator.DEFAULT);
    SSLEngine none = TlsContexts.forServer(SERVER.key(), SERVER.chain(), List.of(), Verify.NONE, "1.2", Provider.JDK)
        .newEngine(ByteBufAllocator.DEFAULT);

    assertThat(optional.getWantClientAuth()).isTrue();
    assertThat(optional.getNeedClientAuth()).isFalse();
    assertThat(none.getWantClientAuth()).isFalse();
    assertThat(none.getNeedClientAuth()).isFalse();
  }

  @Test
  void refusesAKeyThatDoesNotBelongToTheCertificate() {
    assertThatThrownBy(() -> TlsContexts.forServer(CLIENT.key(), SERVER.chain(), CA.trust(), Verify.REQUIRE, "1.2", Provider.JDK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the private key does not belong to the certificate CN=service1");
  }

  @Test
  void verifyingClientsNeedsTheirCa() {
    assertThatThrownBy(() -> TlsContexts.forServer(SERVER.key(), SERVER.chain(), List.of(), Verify.REQUIRE, "1.2", Provider.JDK))
        .hasMessage("verify require needs the CA certificates that issue client certificates");
  }

  @Test
  void refusesOldTlsVersions() {
    assertThatThrownBy(() -> TlsContexts.forServer(SERVER.key(), SERVER.chain(), CA.trust(), Verify.REQUIRE, "1.1", Provider.JDK))
        .hasMessage("minimum TLS version must be 1.2 or 1.3, not 1.1");
  }

  @Test
  void clientCertificateNeedsKeyAndCertificateTogether() {
    assertThatThrownBy(() -> TlsContexts.forClient(CLIENT.key(), null, CA.trust(), "1.2", Provider.JDK))
        .hasMessage("a client certificate needs both its private key and its certificate");
    assertThat(TlsContexts.forClient(null, null, CA.trust(), "1.2", Provider.JDK).isClient()).isTrue();
  }

  @Test
  void bestProviderIsBoringSslWhereItLoads() {
    assertThat(Provider.best()).isEqualTo(Provider.OPENSSL.isAvailable() ? Provider.OPENSSL : Provider.JDK);
    assertThat(Provider.JDK.isAvailable()).isTrue();
  }
}
