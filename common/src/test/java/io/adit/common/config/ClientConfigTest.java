package io.adit.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adit.common.pki.Keys;
import io.adit.common.pki.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClientConfigTest {
  private static String caPem;
  private static String certPem;
  private static String keyPem;

  @TempDir Path dir;

  @BeforeAll
  static void makeCredentials() throws Exception {
    KeyPair keys = Keys.generateP256();
    X500Name name = new X500Name("CN=admin");
    java.util.Date now = new java.util.Date();
    var holder = new JcaX509v3CertificateBuilder(name, java.math.BigInteger.TEN, now,
        new java.util.Date(now.getTime() + 86_400_000L), name, keys.getPublic())
        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
    certPem = Pem.encode(new JcaX509CertificateConverter().getCertificate(holder));
    caPem = certPem + certPem;
    keyPem = Pem.encode(keys.getPrivate());
  }

  private static ClientConfig sample() {
    return ClientConfig.of(List.of("ctl-1.example.com:7443", "[2001:db8::1]:7443", "10.0.0.3:7443"),
        "adit.local", "admin", caPem, certPem, keyPem);
  }

  private Path file(String content) throws Exception {
    Path f = dir.resolve("admin.conf");
    Files.writeString(f, content);
    return f;
  }

  @Test
  void readsBackWhatItWrote() throws Exception {
    Path f = dir.resolve("admin.conf");
    ClientConfig config = sample();

    config.write(f);

    ClientConfig read = ClientConfig.read(f);
    assertThat(read).isEqualTo(config);
    assertThat(read.apiVersion()).isEqualTo(ClientConfig.API_VERSION);
    assertThat(read.kind()).isEqualTo(ClientConfig.KIND);
    assertThat(Pem.privateKey(read.keyPem())).isEqualTo(Pem.privateKey(keyPem));
    assertThat(Pem.certificates(read.caPem())).hasSize(2);
  }

  @Test
  void readsBackPemTextWithoutATrailingNewline() throws Exception {
    Path f = dir.resolve("admin.conf");
    ClientConfig config = ClientConfig.of(List.of("ctl:7443"), "adit.local", "admin",
        caPem.strip(), certPem.strip(), keyPem.strip());

    config.write(f);

    assertThat(ClientConfig.read(f)).isEqualTo(config);
  }

  @Test
  void writesTheFileReadableOnlyByItsOwner() throws Exception {
    Path f = dir.resolve("admin.conf");
    Files.writeString(f, "old");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));

    sample().write(f);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
    assertThat(Files.readString(f)).doesNotContain("old").contains("BEGIN PRIVATE KEY");
  }

  @Test
  void namesAFileThatDoesNotExist() {
    Path missing = dir.resolve("nowhere/admin.conf");

    assertThatThrownBy(() -> ClientConfig.read(missing))
        .isInstanceOf(ConfigException.class)
        .hasMessage("config file " + missing + " does not exist");
  }

  @Test
  void namesAFileItCannotRead() {
    assertThatThrownBy(() -> ClientConfig.read(dir))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(dir.toString());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "unknown key        | apiVersion: adit/v1\\ncontrollers: [a:1]\\nca: x\\ncert: y\\nkey: z\\ncolour: blue\\n | colour",
      "no ca              | controllers: [a:1]\\ncert: y\\nkey: z\\n                                         | has no 'ca'",
      "blank ca           | controllers: [a:1]\\nca: \"\"\\ncert: y\\nkey: z\\n                                 | has no 'ca'",
      "no cert            | controllers: [a:1]\\nca: x\\nkey: z\\n                                           | has no 'cert'",
      "no key             | controllers: [a:1]\\nca: x\\ncert: y\\n                                          | has no 'key'",
      "no controllers     | ca: x\\ncert: y\\nkey: z\\n                                                      | 'controllers'",
      "empty controllers  | controllers: []\\nca: x\\ncert: y\\nkey: z\\n                                     | 'controllers'",
      "not YAML           | {{{ ::: ]]\\n                                                                   | not a valid Adit config",
      "a list, not a map  | - a\\n- b\\n                                                                    | not a valid Adit config",
      "a plain word       | hello\\n                                                                        | not a valid Adit config",
      "nothing            | ''                                                                             | admin.conf"})
  void refusesABadFileNamingItAndTheProblem(String what, String content, String problem) throws Exception {
    Path f = file(content.replace("\\n", "\n"));

    assertThatThrownBy(() -> ClientConfig.read(f))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("config file " + f)
        .hasMessageContaining(problem);
  }
}
