package io.adit.agent.revocation;

import io.adit.api.v1.Revocation;
import io.adit.common.files.AtomicFiles;
import io.adit.store.v1.IdentityRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The revocations this agent last saw, kept in its data dir: an agent restarted while etcd is
 * down serves its last known services (static stability) and must refuse what was revoked.
 */
final class RevocationSnapshot {
  private static final Logger log = LoggerFactory.getLogger(RevocationSnapshot.class);
  private final Path file;

  RevocationSnapshot(Path dataDir) {
    this.file = dataDir.resolve("state").resolve("revocations.pb");
  }

  void save(Revocations r) {
    io.adit.store.v1.RevocationSnapshot.Builder b = io.adit.store.v1.RevocationSnapshot.newBuilder()
        .addAllSerials(r.serials().values())
        .addAllIdentities(r.identities().values());
    try {
      AtomicFiles.ensurePrivateDirectory(file.getParent());
      AtomicFiles.writePrivate(file, b.build().toByteArray());
    } catch (IOException e) {
      log.warn("cannot save the revocation snapshot {} ({}): a restart without etcd would not know them", file,
          e.getMessage());
    }
  }

  Optional<Revocations> load() {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      io.adit.store.v1.RevocationSnapshot s = io.adit.store.v1.RevocationSnapshot.parseFrom(Files.readAllBytes(file));
      Map<String, Revocation> serials = new LinkedHashMap<>();
      s.getSerialsList().forEach(r -> serials.put(r.getSerial(), r));
      Map<String, IdentityRecord> identities = new LinkedHashMap<>();
      s.getIdentitiesList().forEach(i -> identities.put(i.getName(), i));
      return Optional.of(new Revocations(serials, identities));
    } catch (IOException e) {
      log.warn("cannot read the revocation snapshot {} ({}): waiting for etcd", file, e.getMessage());
      return Optional.empty();
    }
  }
}
