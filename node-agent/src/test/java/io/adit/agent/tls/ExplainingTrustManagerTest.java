package io.adit.agent.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adit.agent.tls.PeerCertificateException.Problem;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.Test;

/** PKIX refusals, rewritten in the words an operator reads in the log. */
class ExplainingTrustManagerTest {
  private static final TestPki.Ca CA = TestPki.newCa("Adit CA");
  private final ExplainingTrustManager trust = ExplainingTrustManager.trusting(CA.trust());

  @Test
  void acceptsAClientFromTheTrustedCa() throws Exception {
    trust.checkClientTrusted(chain(CA.client("client1")), "EC");
  }

  @Test
  void expiredClientCertificateSaysWhenItExpired() {
    TestPki.Leaf expired = CA.expiredClient("client1");

    assertThatThrownBy(() -> trust.checkClientTrusted(chain(expired), "EC"))
        .isInstanceOfSatisfying(PeerCertificateException.class, e -> assertThat(e.problem()).isEqualTo(Problem.EXPIRED))
        .hasMessage("client certificate expired at " + expired.cert().getNotAfter().toInstant());
  }

  @Test
  void certificateNotYetValidSuggestsAClockProblem() {
    TestPki.Leaf future = CA.issue("client1", List.of(TestPki.uri("client", "client1")), KeyPurposeId.id_kp_clientAuth,
        Instant.now().plus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(2)));

    assertThatThrownBy(() -> trust.checkClientTrusted(chain(future), "EC"))
        .isInstanceOfSatisfying(PeerCertificateException.class, e -> assertThat(e.problem()).isEqualTo(Problem.NOT_YET_VALID))
        .hasMessageStartingWith("client certificate is not valid before ").hasMessageEndingWith("(is a clock wrong?)");
  }

  @Test
  void certificateFromAnotherCaNamesItsIssuer() {
    TestPki.Leaf foreign = TestPki.newCa("Other CA").client("client1");

    assertThatThrownBy(() -> trust.checkClientTrusted(chain(foreign), "EC"))
        .isInstanceOfSatisfying(PeerCertificateException.class, e -> assertThat(e.problem()).isEqualTo(Problem.UNKNOWN_CA))
        .hasMessage("client certificate was issued by an unknown CA (CN=Other CA)");
  }

  @Test
  void impostorCaWithTheSameNameIsStillUnknown() {
    TestPki.Leaf impostor = TestPki.newCa("Adit CA").client("client1");

    assertThatThrownBy(() -> trust.checkClientTrusted(chain(impostor), "EC"))
        .isInstanceOfSatisfying(PeerCertificateException.class, e -> assertThat(e.problem()).isEqualTo(Problem.UNKNOWN_CA));
  }

  @Test
  void serverCertificateUsedAsClientCertificateIsRefused() {
    assertThatThrownBy(() -> trust.checkClientTrusted(chain(CA.server("service1")), "EC"))
        .isInstanceOfSatisfying(PeerCertificateException.class, e -> assertThat(e.problem()).isEqualTo(Problem.OTHER))
        .hasMessageStartingWith("client certificate was refused: ");
  }

  private static X509Certificate[] chain(TestPki.Leaf leaf) {
    return new X509Certificate[] {leaf.cert()};
  }
}
