package io.adit.common.pki;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;

class BundlesTest {
  static final X509Certificate A = SelfSigned.with(Keys.generateP256()).subject("CN=A").build();
  static final X509Certificate B = SelfSigned.with(Keys.generateP256()).subject("CN=B").build();

  @Test
  void theSameCasGiveTheSameFingerprintInAnyOrder() {
    assertThat(Bundles.fingerprint(List.of(A, B))).isEqualTo(Bundles.fingerprint(List.of(B, A)))
        .isEqualTo(Bundles.fingerprint(List.of(A, B, A))).hasSize(64);
  }

  @Test
  void addingOrRemovingACaChangesTheFingerprint() {
    assertThat(Bundles.fingerprint(List.of(A))).isNotEqualTo(Bundles.fingerprint(List.of(A, B)))
        .isNotEqualTo(Bundles.fingerprint(List.of(B)));
  }
}
