package io.adit.agent.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.agent.tls.TestPki;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.Test;

class CertificateNamesTest {
  static final X509Certificate CERT = TestPki.newCa("ca").issue("web",
      List.of(TestPki.dns("web"), TestPki.dns("Alt.Example"), new GeneralName(GeneralName.iPAddress, "::1"),
          new GeneralName(GeneralName.iPAddress, "192.0.2.7")),
      KeyPurposeId.id_kp_serverAuth, Instant.now().minus(Duration.ofMinutes(1)), Instant.now().plus(Duration.ofHours(1)))
      .cert();

  @Test
  void coversNamesCaseInsensitivelyAndAddressesInAnySpelling() {
    assertThat(CertificateNames.covers(CERT, List.of(), List.of())).isTrue();
    assertThat(CertificateNames.covers(CERT, List.of("alt.example"), List.of("0:0:0:0:0:0:0:1", "192.0.2.7"))).isTrue();
  }

  @Test
  void aMissingNameOrAddressMeansANewCertificate() {
    assertThat(CertificateNames.covers(CERT, List.of("other.example"), List.of())).isFalse();
    assertThat(CertificateNames.covers(CERT, List.of(), List.of("192.0.2.8"))).isFalse();
  }
}
