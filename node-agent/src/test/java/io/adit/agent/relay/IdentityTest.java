package io.adit.agent.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.agent.tls.TestPki;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.Test;

/** Which name a client certificate stands for, as matched against a service's allow list. */
class IdentityTest {
  private static final TestPki.Ca CA = TestPki.newCa("Test CA");

  @Test
  void clientIdentityIsTheNameInItsSpiffeId() {
    assertThat(Connection.identityOf(CA.client("client1").cert())).isEqualTo("client1");
  }

  @Test
  void otherKindsKeepTheirKindSoTheyNeverMatchAClientName() {
    assertThat(Connection.identityOf(CA.server("client1").cert())).isEqualTo("service/client1");
  }

  @Test
  void certificateWithoutSpiffeIdIsKnownByItsSubject() {
    TestPki.Leaf plain = CA.issue("legacy", List.of(new GeneralName(GeneralName.dNSName, "legacy.example")),
        KeyPurposeId.id_kp_clientAuth, Instant.now().minus(Duration.ofMinutes(1)), Instant.now().plus(Duration.ofHours(1)));

    assertThat(Connection.identityOf(plain.cert())).isEqualTo("CN=legacy");
  }
}
