package io.adit.controller.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyEncryptionTest {
  private static final byte[] SECRET = "-----BEGIN PRIVATE KEY-----\nnot really\n".getBytes(StandardCharsets.UTF_8);
  private static final byte[] AAD = "adit-ca-key:abc".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dataDir;

  @Test
  void opensWhatItSealed() {
    KeyEncryption kek = KeyEncryption.loadOrCreate(dataDir);
    byte[] sealed = kek.seal(SECRET, AAD);

    assertThat(sealed).hasSize(12 + SECRET.length + 16);
    assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("not really");
    assertThat(kek.open(sealed, AAD)).isEqualTo(SECRET);
  }

  @Test
  void sealsWithAFreshNonceEachTime() {
    KeyEncryption kek = KeyEncryption.loadOrCreate(dataDir);
    assertThat(kek.seal(SECRET, AAD)).isNotEqualTo(kek.seal(SECRET, AAD));
  }

  @Test
  void readsTheSameKeyOnTheNextStart() {
    KeyEncryption first = KeyEncryption.loadOrCreate(dataDir);
    byte[] sealed = first.seal(SECRET, AAD);

    KeyEncryption second = KeyEncryption.loadOrCreate(dataDir);

    assertThat(second.id()).isEqualTo(first.id()).hasSize(16).matches("[0-9a-f]+");
    assertThat(second.open(sealed, AAD)).isEqualTo(SECRET);
    assertThat(KeyEncryption.load(dataDir)).get().extracting(KeyEncryption::id).isEqualTo(first.id());
  }

  @Test
  void loadFindsNothingInAnEmptyDataDir() {
    assertThat(KeyEncryption.load(dataDir)).isEmpty();
    assertThat(dataDir.resolve("ca.kek")).doesNotExist();
  }

  @Test
  void writesTheKeyReadableByItsOwnerOnly() throws Exception {
    KeyEncryption.loadOrCreate(dataDir.resolve("new"));

    Path file = dataDir.resolve("new").resolve("ca.kek");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(Files.readString(file)).startsWith("#");
  }

  @Test
  void refusesAKeyFileOthersCanRead() throws Exception {
    KeyEncryption.loadOrCreate(dataDir);
    Path file = dataDir.resolve("ca.kek");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

    assertThatThrownBy(() -> KeyEncryption.load(dataDir))
        .isInstanceOf(KeyEncryptionException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("chmod 600");
  }

  @Test
  void saysPlainlyWhenTheKeyIsNotTheOneThatSealed(@TempDir Path otherDataDir) {
    byte[] sealed = KeyEncryption.loadOrCreate(dataDir).seal(SECRET, AAD);
    KeyEncryption other = KeyEncryption.loadOrCreate(otherDataDir);

    assertThat(other.id()).isNotEqualTo(KeyEncryption.load(dataDir).orElseThrow().id());
    assertThatThrownBy(() -> other.open(sealed, AAD))
        .isInstanceOf(KeyEncryptionException.class)
        .hasMessageStartingWith("the CA key in etcd cannot be decrypted with " + otherDataDir.resolve("ca.kek"))
        .hasMessageContaining("copy ca.kek from a running controller's data dir");
  }

  @Test
  void refusesAlteredCiphertext() {
    KeyEncryption kek = KeyEncryption.loadOrCreate(dataDir);
    byte[] sealed = kek.seal(SECRET, AAD);
    sealed[20] ^= 1;

    assertThatThrownBy(() -> kek.open(sealed, AAD)).isInstanceOf(KeyEncryptionException.class);
  }

  @Test
  void refusesCiphertextMovedToAnotherRecord() {
    KeyEncryption kek = KeyEncryption.loadOrCreate(dataDir);
    byte[] sealed = kek.seal(SECRET, AAD);

    assertThatThrownBy(() -> kek.open(sealed, "adit-ca-key:other".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(KeyEncryptionException.class);
  }

  @Test
  void refusesTruncatedCiphertext() {
    KeyEncryption kek = KeyEncryption.loadOrCreate(dataDir);
    assertThatThrownBy(() -> kek.open(new byte[10], AAD))
        .isInstanceOf(KeyEncryptionException.class).hasMessageContaining("truncated");
  }

  @Test
  void refusesAFileThatIsNotAKey() throws Exception {
    Path file = dataDir.resolve("ca.kek");
    Files.writeString(file, "# a comment\nbm90IDMyIGJ5dGVz\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

    assertThatThrownBy(() -> KeyEncryption.loadOrCreate(dataDir))
        .isInstanceOf(KeyEncryptionException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("32 bytes");
  }
}
