package io.adit.controller.ca;

import io.adit.common.files.AtomicFiles;
import io.adit.common.pki.Keys;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key-encryption key (KEK) that seals the CA key before it goes to etcd, so that every
 * controller of the cluster can use the CA and an etcd reader cannot. It lives in
 * {@code DATA_DIR/ca.kek} (32 random bytes in base64, mode 0600) and has to be copied to each
 * controller. Sealing is AES-256-GCM; the output is a 12-byte random nonce, then ciphertext
 * and tag. Thread-safe.
 */
public final class KeyEncryption {
  public static final String FILE_NAME = "ca.kek";
  static final int KEY_BYTES = 32;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Set<PosixFilePermission> OTHERS = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  private final Path file;
  private final SecretKey key;
  private final String id;

  private KeyEncryption(Path file, byte[] key) {
    this.file = file;
    this.key = new SecretKeySpec(key, "AES");
    // Domain-separated so the published id is not a plain hash of the key.
    byte[] label = "adit ca.kek id\0".getBytes(StandardCharsets.US_ASCII);
    byte[] digest = Keys.sha256(ByteBuffer.allocate(label.length + key.length).put(label).put(key).array());
    this.id = HexFormat.of().formatHex(digest, 0, 8);
  }

  /** The KEK in {@code dataDir}, created there on first use. */
  public static KeyEncryption loadOrCreate(Path dataDir) {
    Optional<KeyEncryption> existing = load(dataDir);
    if (existing.isPresent()) {
      return existing.get();
    }
    Path file = dataDir.resolve(FILE_NAME);
    byte[] key = new byte[KEY_BYTES];
    RANDOM.nextBytes(key);
    String text = "# Adit CA key-encryption key: every controller of this cluster needs this same file.\n"
        + "# Keep it secret (mode 0600); without it the CA key stored in etcd cannot be used.\n"
        + Base64.getEncoder().encodeToString(key) + "\n";
    try {
      AtomicFiles.ensurePrivateDirectory(dataDir);
      AtomicFiles.writePrivate(file, text);
    } catch (IOException e) {
      throw new KeyEncryptionException("cannot write " + file + ": " + e.getMessage(), e);
    }
    return new KeyEncryption(file, key);
  }

  /** The KEK in {@code dataDir}, or empty if there is no {@code ca.kek} file. */
  public static Optional<KeyEncryption> load(Path dataDir) {
    Path file = dataDir.resolve(FILE_NAME);
    String text;
    try {
      checkPrivate(file);
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new KeyEncryptionException("cannot read " + file + ": " + e.getMessage(), e);
    }
    String base64 = text.lines().map(String::strip)
        .filter(l -> !l.isEmpty() && !l.startsWith("#"))
        .collect(Collectors.joining());
    byte[] key;
    try {
      key = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      key = new byte[0];
    }
    if (key.length != KEY_BYTES) {
      throw new KeyEncryptionException(file + " is not a key-encryption key (expected " + KEY_BYTES
          + " bytes in base64): copy ca.kek from a running controller's data dir");
    }
    return Optional.of(new KeyEncryption(file, key));
  }

  // A secret others can read is no longer a secret; refusing makes the operator fix it now.
  private static void checkPrivate(Path file) throws IOException {
    Set<PosixFilePermission> mode;
    try {
      mode = Files.getPosixFilePermissions(file);
    } catch (UnsupportedOperationException e) {
      return; // not a POSIX file system: nothing to check
    }
    if (mode.stream().anyMatch(OTHERS::contains)) {
      throw new KeyEncryptionException(file + " is accessible to other users: run chmod 600 " + file);
    }
  }

  /** A short fingerprint of the KEK, stored beside what it seals so a wrong KEK is named plainly. */
  public String id() {
    return id;
  }

  public Path file() {
    return file;
  }

  /** Encrypts {@code plaintext}; {@code aad} (e.g. the etcd key) is authenticated, not stored. */
  public byte[] seal(byte[] plaintext, byte[] aad) {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      Cipher cipher = cipher(Cipher.ENCRYPT_MODE, nonce, aad);
      return ByteBuffer.allocate(NONCE_BYTES + cipher.getOutputSize(plaintext.length))
          .put(nonce).put(cipher.doFinal(plaintext)).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available in this JVM", e);
    }
  }

  /** Decrypts what {@link #seal} produced with the same KEK and {@code aad}. */
  public byte[] open(byte[] sealed, byte[] aad) {
    if (sealed.length < NONCE_BYTES + TAG_BITS / 8) {
      throw new KeyEncryptionException("the sealed CA key in etcd is truncated (" + sealed.length + " bytes)");
    }
    try {
      Cipher cipher = cipher(Cipher.DECRYPT_MODE, java.util.Arrays.copyOf(sealed, NONCE_BYTES), aad);
      return cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
    } catch (AEADBadTagException e) {
      throw new KeyEncryptionException("the CA key in etcd cannot be decrypted with " + file
          + " (it was sealed with another key or was altered): copy ca.kek from a running controller's data dir", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available in this JVM", e);
    }
  }

  private Cipher cipher(int mode, byte[] nonce, byte[] aad) throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
    if (aad != null) {
      cipher.updateAAD(aad);
    }
    return cipher;
  }

  @Override
  public String toString() {
    return "KeyEncryption[" + file + ", id " + id + "]";
  }
}
