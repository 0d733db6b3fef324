package io.adit.agent.identity;

import io.adit.common.files.AtomicFiles;
import io.adit.common.pki.Bundles;
import io.adit.common.pki.Pem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CA certificates this node trusts for the cluster: what relays check peers against and what
 * the controller channel checks the controllers against. It follows {@code trust/bundle} in etcd
 * (a CA rotation adds a CA, later removes the old one) and is kept in the data dir
 * ({@code trust-bundle.pem}), so a restart trusts what it trusted before even while etcd is
 * down. Thread-safe: a volatile read per use.
 */
public final class TrustBundle {
  private static final Logger log = LoggerFactory.getLogger(TrustBundle.class);
  static final String FILE = "trust-bundle.pem";

  /** A bundle and its fingerprint. */
  public record Current(List<X509Certificate> cas, String fingerprint) {}

  private final Path file;
  private final AtomicReference<Current> current;

  private TrustBundle(Path file, List<X509Certificate> initial) {
    this.file = file;
    this.current = new AtomicReference<>(new Current(List.copyOf(initial), Bundles.fingerprint(initial)));
  }

  /** The bundle stored in the data dir, else {@code joined} (what the node got when it joined). */
  public static TrustBundle load(Path dataDir, List<X509Certificate> joined) {
    Path file = dataDir.resolve(FILE);
    if (Files.exists(file)) {
      try {
        List<X509Certificate> stored = Pem.certificates(Files.readString(file));
        if (!stored.isEmpty()) {
          return new TrustBundle(file, stored);
        }
      } catch (IOException | RuntimeException e) {
        log.warn("cannot read the stored trust bundle {} ({}): trusting the CA from the join until etcd answers",
            file, e.getMessage());
      }
    }
    return new TrustBundle(file, joined);
  }

  /** Drops the stored bundle, so the next {@link #load} trusts what the join brought. */
  static void forget(Path dataDir) throws IOException {
    Files.deleteIfExists(dataDir.resolve(FILE));
  }

  public List<X509Certificate> cas() {
    return current.get().cas();
  }

  public Current current() {
    return current.get();
  }

  /** Replaces the bundle (and stores it); false if it is the one held already. */
  public boolean set(List<X509Certificate> cas) {
    if (cas.isEmpty()) {
      throw new IllegalArgumentException("an empty trust bundle would refuse every peer");
    }
    Current next = new Current(List.copyOf(cas), Bundles.fingerprint(cas));
    Current previous = current.getAndSet(next);
    if (previous.fingerprint().equals(next.fingerprint())) {
      return false;
    }
    try {
      AtomicFiles.writePublic(file, Pem.encode(cas));
    } catch (IOException e) {
      log.warn("cannot store the trust bundle in {} ({}): it is used, but a restart trusts the previous one until etcd"
          + " answers", file, e.getMessage());
    }
    return true;
  }
}
