package io.adit.agent.watch;

import io.adit.api.v1.ListServicesResponse;
import io.adit.api.v1.Service;
import io.adit.api.v1.ServiceSpec;
import io.adit.common.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last service specs this agent saw, kept in its data dir so that an agent restarted while
 * etcd or the controllers are down serves what it served before (static stability).
 */
public final class Snapshot {
  private static final Logger log = LoggerFactory.getLogger(Snapshot.class);
  private final Path file;

  public Snapshot(Path dataDir) {
    this.file = dataDir.resolve("state").resolve("services.pb");
  }

  public void save(Map<String, ServiceSpec> services) {
    ListServicesResponse.Builder b = ListServicesResponse.newBuilder();
    services.values().forEach(s -> b.addServices(Service.newBuilder().setSpec(s)));
    try {
      AtomicFiles.ensurePrivateDirectory(file.getParent());
      AtomicFiles.writePrivate(file, b.build().toByteArray());
    } catch (IOException e) {
      log.warn("cannot save the service snapshot {} ({}): a restart without etcd would serve nothing", file, e.getMessage());
    }
  }

  public Optional<Map<String, ServiceSpec>> load() {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      Map<String, ServiceSpec> out = new LinkedHashMap<>();
      for (Service s : ListServicesResponse.parseFrom(Files.readAllBytes(file)).getServicesList()) {
        out.put(s.getSpec().getName(), s.getSpec());
      }
      return Optional.of(out);
    } catch (IOException e) {
      log.warn("cannot read the service snapshot {} ({}): waiting for etcd", file, e.getMessage());
      return Optional.empty();
    }
  }
}
