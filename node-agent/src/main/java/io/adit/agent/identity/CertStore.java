package io.adit.agent.identity;

import io.adit.common.files.AtomicFiles;
import io.adit.common.pki.Keys;
import io.adit.common.pki.Pem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Certificates and keys in the agent's data dir, so that a restarted agent serves at once with
 * what it held, even while the controller is unreachable: {@code certs/NAME.key} (PKCS#8,
 * 0600), {@code NAME.crt}, {@code NAME.ca.crt}. Each file is written atomically; the key first, so a
 * crash between the writes leaves an unusable pair that is simply renewed, never a mismatch
 * that is used.
 */
public final class CertStore {
  private static final Logger log = LoggerFactory.getLogger(CertStore.class);

  private final Path dir;

  public CertStore(Path dataDir) {
    this.dir = dataDir.resolve("certs");
  }

  public void save(String name, Material m) throws IOException {
    AtomicFiles.ensurePrivateDirectory(dir);
    AtomicFiles.writePrivate(dir.resolve(name + ".key"), Pem.encode(m.key()));
    AtomicFiles.writePublic(dir.resolve(name + ".ca.crt"), Pem.encode(m.trust()));
    AtomicFiles.writePublic(dir.resolve(name + ".crt"), Pem.encode(m.certificate()));
  }

  /** What is stored under {@code name}, if it is complete and the key matches the certificate. */
  public Optional<Material> load(String name) {
    Path key = dir.resolve(name + ".key");
    Path crt = dir.resolve(name + ".crt");
    Path ca = dir.resolve(name + ".ca.crt");
    if (!Files.exists(key) || !Files.exists(crt) || !Files.exists(ca)) {
      return Optional.empty();
    }
    try {
      Material m = new Material(Pem.privateKey(Files.readString(key)), Pem.certificate(Files.readString(crt)),
          Pem.certificates(Files.readString(ca)));
      if (!Keys.belongTogether(m.key(), m.certificate().getPublicKey())) {
        log.warn("{} does not belong to {}: a new certificate will be requested", key, crt);
        return Optional.empty();
      }
      return Optional.of(m);
    } catch (IOException | RuntimeException e) {
      log.warn("cannot read the stored certificate {} ({}): a new one will be requested", crt, e.getMessage());
      return Optional.empty();
    }
  }

  public void delete(String name) {
    for (String suffix : new String[] {".key", ".crt", ".ca.crt"}) {
      try {
        Files.deleteIfExists(dir.resolve(name + suffix));
      } catch (IOException e) {
        log.warn("cannot remove {}: {}", dir.resolve(name + suffix), e.getMessage());
      }
    }
  }
}
