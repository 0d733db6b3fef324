package io.adit.common.pki;

import io.adit.testing.OpenSsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading keys as the openssl command line writes them, and writing keys openssl reads. */
class PemTest {
  private static final String NO_KEY = "no PEM private key (-----BEGIN ... PRIVATE KEY-----) found";

  @TempDir Path dir;

  private String openssl(String... args) throws Exception {
    return OpenSsl.ok(dir, args);
  }

  private String read(String file) throws Exception {
    return Files.readString(dir.resolve(file));
  }

  /** Makes key.pem in the given format with the openssl command line. */
  private void makeKey(String format) throws Exception {
    switch (format) {
      case "ecparam-genkey" -> openssl("ecparam", "-genkey", "-name", "prime256v1", "-out", "key.pem");
      case "sec1" -> {
        openssl("ecparam", "-genkey", "-name", "prime256v1", "-out", "base.pem");
        openssl("ec", "-in", "base.pem", "-out", "key.pem");
      }
      case "pkcs8-ec" -> {
        openssl("ecparam", "-genkey", "-name", "prime256v1", "-out", "base.pem");
        openssl("pkcs8", "-topk8", "-nocrypt", "-in", "base.pem", "-out", "key.pem");
      }
      case "pkcs1-rsa" -> openssl("genrsa", "-traditional", "-out", "key.pem", "2048");
      case "pkcs8-rsa" -> {
        openssl("genrsa", "-traditional", "-out", "base.pem", "2048");
        openssl("pkcs8", "-topk8", "-nocrypt", "-in", "base.pem", "-out", "key.pem");
      }
      case "pkcs8-ed25519" -> openssl("genpkey", "-algorithm", "ed25519", "-out", "key.pem");
      default -> throw new IllegalArgumentException(format);
    }
  }

  private static PublicKey publicKey(String pem) throws Exception {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      return new JcaPEMKeyConverter().getPublicKey((SubjectPublicKeyInfo) parser.readObject());
    }
  }

  private static boolean signsFor(PrivateKey privateKey, PublicKey publicKey) throws Exception {
    byte[] challenge = "adit test challenge".getBytes(StandardCharsets.UTF_8);
    Signature signer = Signature.getInstance(Keys.signatureAlgorithm(publicKey));
    signer.initSign(privateKey);
    signer.update(challenge);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance(Keys.signatureAlgorithm(publicKey));
    verifier.initVerify(publicKey);
    verifier.update(challenge);
    return verifier.verify(signature);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({
      "ecparam-genkey, '-----BEGIN EC PARAMETERS-----', EC",
      "sec1,           '-----BEGIN EC PRIVATE KEY-----', EC",
      "pkcs8-ec,       '-----BEGIN PRIVATE KEY-----', EC",
      "pkcs1-rsa,      '-----BEGIN RSA PRIVATE KEY-----', RSA",
      "pkcs8-rsa,      '-----BEGIN PRIVATE KEY-----', RSA",
      "pkcs8-ed25519,  '-----BEGIN PRIVATE KEY-----', EdDSA"})
  void readsPrivateKeysAsOpensslWritesThem(String format, String firstLine, String algorithm) throws Exception {
    makeKey(format);
    openssl("pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem");
    String pem = read("key.pem");
    assertThat(pem).startsWith(firstLine);
    if (format.equals("sec1")) {
      assertThat(pem).doesNotContain("EC PARAMETERS");
    }

    PrivateKey key = Pem.privateKey(pem);

    assertThat(key.getAlgorithm()).isIn(algorithm, algorithm.equals("EdDSA") ? "Ed25519" : algorithm);
    assertThat(signsFor(key, publicKey(read("pub.pem")))).as("the key read is the key openssl made").isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "pkcs8 -v2 aes-256-cbc, '-----BEGIN ENCRYPTED PRIVATE KEY-----'",
      "ec -aes256 (traditional), 'Proc-Type: 4,ENCRYPTED'"})
  void refusesAnEncryptedKeySayingItIsEncrypted(String how, String marker) throws Exception {
    openssl("ecparam", "-genkey", "-name", "prime256v1", "-out", "base.pem");
    if (how.startsWith("pkcs8")) {
      openssl("pkcs8", "-topk8", "-v2", "aes-256-cbc", "-passout", "pass:x", "-in", "base.pem", "-out", "key.pem");
    } else {
      openssl("ec", "-aes256", "-passout", "pass:x", "-in", "base.pem", "-out", "key.pem");
    }
    String pem = read("key.pem");
    assertThat(pem).contains(marker);

    assertThatThrownBy(() -> Pem.privateKey(pem))
        .isInstanceOf(Pem.PemException.class)
        .hasMessageContaining("encrypted");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"EC", "Ed25519", "RSA"})
  void writesKeysAsPkcs8ThatReadBackEqualAndOpensslReads(String algorithm) throws Exception {
    KeyPair keys;
    if (algorithm.equals("EC")) {
      keys = Keys.generateP256();
    } else {
      KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
      if (algorithm.equals("RSA")) {
        g.initialize(2048);
      }
      keys = g.generateKeyPair();
    }

    String pem = Pem.encode(keys.getPrivate());

    assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----").contains("-----END PRIVATE KEY-----");
    assertThat(Pem.privateKey(pem)).isEqualTo(keys.getPrivate());
    Files.writeString(dir.resolve("java.pem"), pem);
    openssl("pkey", "-in", "java.pem", "-pubout", "-out", "pub.pem");
    assertThat(publicKey(read("pub.pem")).getEncoded()).isEqualTo(keys.getPublic().getEncoded());
  }

  @Test
  void skipsCertificatesBeforeTheKey() throws Exception {
    KeyPair keys = Keys.generateP256();
    String pem = Pem.encode(SelfSigned.with(keys).build()) + Pem.encode(keys.getPrivate());

    assertThat(Pem.privateKey(pem)).isEqualTo(keys.getPrivate());
  }

  static Stream<Named<String>> textWithoutAKey() throws Exception {
    KeyPair keys = Keys.generateP256();
    StringWriter publicKey = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(publicKey)) {
      w.writeObject(keys.getPublic());
    }
    return Stream.of(
        Named.of("nothing", ""),
        Named.of("a word", "hello"),
        Named.of("a certificate", Pem.encode(SelfSigned.with(keys).build())),
        Named.of("a public key", publicKey.toString()),
        Named.of("a certificate request", Pem.encode(Keys.csr(keys, "x"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("textWithoutAKey")
  void saysPlainlyThatThereIsNoKey(String text) {
    assertThatThrownBy(() -> Pem.privateKey(text))
        .isInstanceOf(Pem.PemException.class)
        .hasMessage(NO_KEY);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "not DER | -----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n",
      "not base64 | -----BEGIN PRIVATE KEY-----\\n!!!!\\n-----END PRIVATE KEY-----\\n",
      "no end line | -----BEGIN EC PRIVATE KEY-----\\nMHcCAQEE\\n"})
  void refusesABrokenKeyBlockAsAPemException(String what, String text) {
    assertThatThrownBy(() -> Pem.privateKey(text.replace("\\n", "\n")))
        .isInstanceOf(Pem.PemException.class)
        .hasMessageStartingWith("not a valid PEM private key");
  }

  @Test
  void readsACertificateOpensslMade() throws Exception {
    openssl("ecparam", "-genkey", "-name", "prime256v1", "-out", "key.pem");
    openssl("req", "-x509", "-new", "-key", "key.pem", "-subj", "/CN=made-by-openssl", "-days", "1", "-out", "cert.pem");

    X509Certificate cert = Pem.certificate(read("cert.pem"));

    assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=made-by-openssl");
    assertThat(signsFor(Pem.privateKey(read("key.pem")), cert.getPublicKey())).isTrue();
  }

  @Test
  void readsEveryCertificateInOrderSkippingOtherBlocks() {
    KeyPair keys = Keys.generateP256();
    X509Certificate one = SelfSigned.with(keys).subject("CN=one").serial(1).build();
    X509Certificate two = SelfSigned.with(Keys.generateP256()).subject("CN=two").serial(2).build();
    String pem = "bundle:\n" + Pem.encode(one) + Pem.encode(keys.getPrivate()) + "\n" + Pem.encode(two);

    assertThat(Pem.certificates(pem)).containsExactly(one, two);
    assertThat(Pem.certificate(pem)).isEqualTo(one);
    assertThat(Pem.certificates(Pem.encode(List.of(two, one)))).containsExactly(two, one);
  }

  @Test
  void findsNoCertificatesInTextWithoutAny() {
    assertThat(Pem.certificates("")).isEmpty();
    assertThat(Pem.certificates(Pem.encode(Keys.generateP256().getPrivate()))).isEmpty();
    assertThatThrownBy(() -> Pem.certificate("hello"))
        .isInstanceOf(Pem.PemException.class)
        .hasMessage("no PEM certificate (-----BEGIN CERTIFICATE-----) found");
  }

  @Test
  void refusesABrokenCertificateBlockAsAPemException() {
    assertThatThrownBy(() -> Pem.certificates("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
        .isInstanceOf(Pem.PemException.class)
        .hasMessageStartingWith("not a valid PEM certificate");
  }

  @Test
  void roundTripsACertificateSigningRequest() {
    PKCS10CertificationRequest csr = Keys.csr(Keys.generateP256(), "node-1");

    String pem = Pem.encode(csr);

    assertThat(pem).startsWith("-----BEGIN CERTIFICATE REQUEST-----");
    assertThat(Pem.csr(pem)).isEqualTo(csr);
    assertThatThrownBy(() -> Pem.csr(Pem.encode(SelfSigned.with(Keys.generateP256()).build())))
        .isInstanceOf(Pem.PemException.class)
        .hasMessageContaining("no PEM certificate request");
  }
}
