package io.adit.cli.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adit.cli.TestPki;
import io.adit.common.config.ClientConfig;
import io.adit.common.config.ConfigException;
import io.adit.common.pki.Keys;
import io.adit.common.pki.Pem;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.Test;

class CredentialsTest {
  static final Path FILE = Path.of("/home/op/.adit/config");
  final TestPki pki = new TestPki("cluster-ca");
  final KeyPair keys = Keys.generateP256();

  private ClientConfig config(X509Certificate cert, KeyPair certKeys) {
    return ClientConfig.of(List.of("localhost:7443"), "adit.local", "admin", Pem.encode(pki.ca), Pem.encode(cert),
        Pem.encode(certKeys.getPrivate()));
  }

  @Test
  void acceptsAnAdminCredential() {
    Credentials c = Credentials.load(config(pki.admin(keys), keys), FILE, Instant.now());
    assertThat(c.trust()).containsExactly(pki.ca);
    assertThat(c.chain()).hasSize(1);
  }

  @Test
  void anExpiredCertificateSaysWhenAndHowToGetANewOne() {
    X509Certificate cert = pki.leaf(keys.getPublic(), "admin", Instant.now().minus(Duration.ofDays(2)), Duration.ofDays(1),
        List.of(KeyPurposeId.id_kp_clientAuth), "spiffe://adit.local/admin/admin");
    assertThatThrownBy(() -> Credentials.load(config(cert, keys), FILE, Instant.now()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("the certificate in config file /home/op/.adit/config expired at "
            + cert.getNotAfter().toInstant())
        .hasMessageEndingWith("get a fresh credential (the controller writes DATA_DIR/admin.conf at first start) "
            + "and pass it with --config");
  }

  @Test
  void aCertificateNotYetValidPointsAtTheClock() {
    X509Certificate cert = pki.leaf(keys.getPublic(), "admin", Instant.now().plus(Duration.ofHours(2)), Duration.ofDays(1),
        List.of(KeyPurposeId.id_kp_clientAuth), null);
    assertThatThrownBy(() -> Credentials.load(config(cert, keys), FILE, Instant.now()))
        .hasMessageContaining("is not valid before").hasMessageEndingWith("check this machine's clock");
  }

  @Test
  void aServerOnlyCertificateCannotAuthenticateAClient() {
    assertThatThrownBy(() -> Credentials.load(config(pki.controller(keys), keys), FILE, Instant.now()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("cannot authenticate a client (its extended key usage does not include clientAuth)");
  }

  @Test
  void aCaCertificateCannotAuthenticateAClient() {
    assertThatThrownBy(() -> Credentials.load(config(pki.ca, pki.caKeys), FILE, Instant.now()))
        .hasMessageContaining("cannot authenticate a client (it is a CA certificate)");
  }

  @Test
  void aKeyThatDoesNotBelongToTheCertificateIsRefused() {
    assertThatThrownBy(() -> Credentials.load(config(pki.admin(keys), Keys.generateP256()), FILE, Instant.now()))
        .hasMessage("the 'key' in config file /home/op/.adit/config does not belong to its 'cert': "
            + "keep the key and certificate that were issued together");
  }

  @Test
  void aCaFieldWithoutCertificatesIsRefused() {
    ClientConfig c = ClientConfig.of(List.of("localhost:7443"), "adit.local", "admin", "not pem",
        Pem.encode(pki.admin(keys)), Pem.encode(keys.getPrivate()));
    assertThatThrownBy(() -> Credentials.load(c, FILE, Instant.now())).hasMessageContaining("no PEM certificate in 'ca'");
  }
}
