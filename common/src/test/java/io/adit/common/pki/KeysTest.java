package io.adit.common.pki;

import io.adit.testing.OpenSsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class KeysTest {
  private static KeyPair keys;
  private static KeyPair otherKeys;

  @TempDir Path dir;

  @BeforeAll
  static void makeKeys() {
    keys = Keys.generateP256();
    otherKeys = Keys.generateP256();
  }

  private static KeyPair generate(String algorithm) throws Exception {
    if (algorithm.equals("EC")) {
      return Keys.generateP256();
    }
    KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
    if (algorithm.equals("RSA")) {
      g.initialize(2048);
    }
    return g.generateKeyPair();
  }

  @Test
  void generatesP256Keys() {
    assertThat(keys.getPublic().getAlgorithm()).isEqualTo("EC");
    ECPublicKey pub = (ECPublicKey) keys.getPublic();
    assertThat(pub.getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
    assertThat(pub.getParams().getOrder().toString(16))
        .isEqualTo("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    assertThat(otherKeys.getPublic()).isNotEqualTo(keys.getPublic());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"EC", "RSA", "Ed25519"})
  void makesCsrsWhoseSignatureVerifiesWithTheKey(String algorithm) throws Exception {
    KeyPair pair = generate(algorithm);
    KeyPair other = generate(algorithm);

    PKCS10CertificationRequest csr = Keys.csr(pair, "node-1");

    assertThat(csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(pair.getPublic()))).isTrue();
    assertThat(csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(other.getPublic()))).isFalse();
    assertThat(csr.getSubjectPublicKeyInfo().getEncoded()).isEqualTo(pair.getPublic().getEncoded());
    assertThat(csr.getSubject()).isEqualTo(new X500Name("CN=node-1"));
  }

  @ParameterizedTest(name = "{0} keys sign with {1}")
  @CsvSource({"EC, SHA256withECDSA", "RSA, SHA256withRSA", "Ed25519, Ed25519"})
  void choosesTheSignatureAlgorithmForTheKey(String algorithm, String signature) throws Exception {
    assertThat(Keys.signatureAlgorithm(generate(algorithm).getPublic())).isEqualTo(signature);
  }

  @Test
  void refusesKeysItCannotSignWith() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("DSA");
    g.initialize(2048);
    KeyPair dsa = g.generateKeyPair();

    assertThatThrownBy(() -> Keys.signatureAlgorithm(dsa.getPublic()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DSA");
  }

  @Test
  void hashesTheSubjectPublicKeyInfoAsFortyThreeBase64UrlCharacters() {
    String hash = Keys.spkiHash(SelfSigned.with(keys).build());

    assertThat(hash).hasSize(43).matches("[A-Za-z0-9_-]{43}");
  }

  @Test
  void givesTheSameSpkiHashForTwoCertificatesOfOneKey() {
    X509Certificate first = SelfSigned.with(keys).subject("CN=Adit CA").serial(1).build();
    X509Certificate reissued = SelfSigned.with(keys).subject("CN=Adit CA 2, O=adit.local").serial(2).build();
    X509Certificate otherKey = SelfSigned.with(otherKeys).subject("CN=Adit CA").serial(1).build();

    assertThat(Keys.spkiHash(reissued)).isEqualTo(Keys.spkiHash(first));
    assertThat(Keys.spkiHash(otherKey)).isNotEqualTo(Keys.spkiHash(first));
  }

  @Test
  void spkiHashIsTheSha256OfThePublicKeyDerAsOpensslComputesIt() throws Exception {
    X509Certificate cert = SelfSigned.with(keys).build();
    Files.writeString(dir.resolve("cert.pem"), Pem.encode(cert));
    OpenSsl.ok(dir, "x509", "-in", "cert.pem", "-pubkey", "-noout", "-out", "pub.pem");
    OpenSsl.ok(dir, "pkey", "-pubin", "-in", "pub.pem", "-outform", "DER", "-out", "pub.der");
    OpenSsl.ok(dir, "dgst", "-sha256", "-binary", "-out", "hash.bin", "pub.der");
    byte[] digest = Files.readAllBytes(dir.resolve("hash.bin"));

    assertThat(Keys.spkiHash(cert)).isEqualTo(Base64.getUrlEncoder().withoutPadding().encodeToString(digest));
  }

  @Test
  void printsTheThumbprintAsOpensslDoes() throws Exception {
    X509Certificate cert = SelfSigned.with(keys).build();
    Files.writeString(dir.resolve("cert.pem"), Pem.encode(cert));
    String out = OpenSsl.ok(dir, "x509", "-in", "cert.pem", "-noout", "-fingerprint", "-sha256");

    String thumbprint = Keys.thumbprint(cert);

    assertThat(thumbprint).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
    assertThat(thumbprint).isEqualTo(out.substring(out.indexOf('=') + 1).trim());
  }

  @Test
  void thumbprintCoversTheWholeCertificateNotJustTheKey() {
    X509Certificate one = SelfSigned.with(keys).serial(1).build();
    X509Certificate two = SelfSigned.with(keys).serial(2).build();

    assertThat(Keys.thumbprint(one)).isNotEqualTo(Keys.thumbprint(two));
  }

  @Test
  void printsSerialsAsLowerCaseHex() {
    assertThat(Keys.serialHex(SelfSigned.with(keys).serial(0xABCDEF01L).build())).isEqualTo("abcdef01");
  }
}
