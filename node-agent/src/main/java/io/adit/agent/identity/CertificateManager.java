package io.adit.agent.identity;

import io.adit.api.v1.Kind;
import io.adit.api.v1.SignCertificateResponse;
import io.adit.common.pki.Keys;
import io.adit.common.pki.Pem;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificates this node holds — its own, and one per service and client identity placed on
 * it. Each key is made here and never leaves the host; each certificate is stored atomically
 * (so a restart serves at once), renewed at about half its lifetime with jitter, retried with a
 * capped backoff when renewal fails (the old certificate stays in use meanwhile), and handed to
 * subscribers — relays, the controller channel — which use it for new connections.
 */
public final class CertificateManager implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CertificateManager.class);

  /** What a certificate is for. */
  public record Subject(Kind kind, String name) {
    String fileName() {
      return kind.name().substring("KIND_".length()).toLowerCase(java.util.Locale.ROOT) + "-" + name;
    }

    @Override
    public String toString() {
      return fileName().replaceFirst("-", " ");
    }
  }

  /** No certificate could be had: none stored and the controller refused or did not answer. */
  public static final class UnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    UnavailableException(String message) {
      super(message);
    }
  }

  /** The controller call, replaceable in tests. */
  public interface Signer {
    SignCertificateResponse sign(Kind kind, String name, String csrPem);
  }

  private final class Held {
    final Subject subject;
    final List<Consumer<Material>> subscribers = new CopyOnWriteArrayList<>();
    volatile Material material;
    ScheduledFuture<?> renewal;
    int failures;

    Held(Subject subject, Material material) {
      this.subject = subject;
      this.material = material;
    }
  }

  private final Signer signer;
  private final CertStore store;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private final Map<Subject, Held> held = new ConcurrentHashMap<>();

  public CertificateManager(Signer signer, CertStore store, ScheduledExecutorService scheduler, Clock clock) {
    this.signer = signer;
    this.store = store;
    this.scheduler = scheduler;
    this.clock = clock;
  }

  /**
   * The current material for {@code subject}: held, else stored and still valid, else newly
   * issued. {@code subscriber} then gets every renewal until {@link #release}.
   */
  public Material acquire(Subject subject, Consumer<Material> subscriber) throws UnavailableException {
    return acquire(subject, subscriber, c -> true);
  }

  /**
   * As {@link #acquire(Subject, Consumer)}, but a held or stored certificate that does not
   * {@code fit} (a service got a new DNS name, say) is replaced at once by a new one, which
   * every subscriber gets.
   */
  public synchronized Material acquire(Subject subject, Consumer<Material> subscriber, Predicate<X509Certificate> fits)
      throws UnavailableException {
    Held h = held.get(subject);
    if (h == null) {
      Optional<Material> stored = store.load(subject.fileName())
          .filter(m -> clock.instant().isBefore(m.certificate().getNotAfter().toInstant()))
          .filter(m -> fits.test(m.certificate()));
      Material m = stored.isPresent() ? stored.get() : issue(subject);
      h = new Held(subject, m);
      held.put(subject, h);
      schedule(h, renewAt(m.certificate()));
    } else if (!fits.test(h.material.certificate())) {
      log.info("the certificate for {} does not carry what the service now asks for: getting a new one", subject);
      Material m = issue(subject);
      h.material = m;
      h.failures = 0;
      notify(h, m);
      if (h.renewal != null) {
        h.renewal.cancel(false);
      }
      schedule(h, renewAt(m.certificate()));
    }
    h.subscribers.add(subscriber);
    return h.material;
  }

  /** Adopts material obtained elsewhere (the node's own, from the join) and keeps it renewed. */
  public synchronized void adopt(Subject subject, Material material, Consumer<Material> subscriber) {
    Held h = new Held(subject, material);
    h.subscribers.add(subscriber);
    held.put(subject, h);
    schedule(h, renewAt(material.certificate()));
  }

  /** Stops renewing for a subscriber; the certificate is forgotten when nobody uses it. */
  public synchronized void release(Subject subject, Consumer<Material> subscriber) {
    Held h = held.get(subject);
    if (h == null) {
      return;
    }
    h.subscribers.remove(subscriber);
    if (h.subscribers.isEmpty()) {
      held.remove(subject);
      if (h.renewal != null) {
        h.renewal.cancel(false);
      }
      store.delete(subject.fileName());
    }
  }

  /**
   * Replaces the certificate of {@code subject} now (on a renewal thread), e.g. because it was
   * revoked; the usual backoff applies if the controller refuses or does not answer.
   */
  public synchronized void renewNow(Subject subject) {
    Held h = held.get(subject);
    if (h == null) {
      return;
    }
    if (h.renewal != null) {
      h.renewal.cancel(false);
    }
    h.renewal = scheduler.schedule(() -> renew(h), 0, TimeUnit.MILLISECONDS);
  }

  public Optional<X509Certificate> current(Subject subject) {
    return Optional.ofNullable(held.get(subject)).map(h -> h.material.certificate());
  }

  private Material issue(Subject subject) throws UnavailableException {
    KeyPair keys = Keys.generateP256();
    SignCertificateResponse r;
    try {
      r = signer.sign(subject.kind(), subject.name(), Pem.encode(Keys.csr(keys, subject.name())));
    } catch (StatusRuntimeException e) {
      throw new UnavailableException("cannot get a certificate for " + subject + " from the controller: "
          + ControllerClient.reason(e));
    }
    Material m = new Material(keys.getPrivate(), Pem.certificate(r.getCertificatePem()), Pem.certificates(r.getTrustBundlePem()));
    try {
      store.save(subject.fileName(), m);
    } catch (IOException e) {
      log.warn("cannot store the certificate for {} ({}): it is used, but a restart will ask for a new one", subject, e.getMessage());
    }
    log.info("got a certificate for {}: serial {}, valid until {}", subject, Keys.serialHex(m.certificate()),
        m.certificate().getNotAfter().toInstant());
    return m;
  }

  private static void notify(Held h, Material m) {
    for (Consumer<Material> s : h.subscribers) {
      try {
        s.accept(m);
      } catch (RuntimeException e) {
        log.warn("applying the renewed certificate for {} failed: {}", h.subject, e.getMessage());
      }
    }
  }

  private Instant renewAt(X509Certificate cert) {
    return RenewalPolicy.renewAt(cert, ThreadLocalRandom.current().nextDouble());
  }

  /** Never renew more often than this, whatever a certificate's dates say. */
  static final Duration MIN_INTERVAL = Duration.ofSeconds(1);

  private void schedule(Held h, Instant at) {
    long delay = Math.max(MIN_INTERVAL.toMillis(), Duration.between(clock.instant(), at).toMillis());
    h.renewal = scheduler.schedule(() -> renew(h), delay, TimeUnit.MILLISECONDS);
  }

  private void renew(Held h) {
    if (held.get(h.subject) != h) {
      return; // released meanwhile
    }
    try {
      Material m = issue(h.subject);
      h.material = m;
      h.failures = 0;
      notify(h, m);
      synchronized (this) {
        if (held.get(h.subject) == h) {
          schedule(h, renewAt(m.certificate()));
        }
      }
    } catch (UnavailableException | RuntimeException e) {
      h.failures++;
      Duration backoff = RenewalPolicy.backoff(h.failures, h.material.certificate());
      Instant expiry = h.material.certificate().getNotAfter().toInstant();
      log.warn("renewing the certificate for {} failed ({}); the current one stays in use until {}; retrying in {} ms",
          h.subject, e.getMessage(), expiry, backoff.toMillis());
      synchronized (this) {
        if (held.get(h.subject) == h) {
          schedule(h, clock.instant().plus(backoff));
        }
      }
    }
  }

  @Override
  public synchronized void close() {
    held.values().forEach(h -> {
      if (h.renewal != null) {
        h.renewal.cancel(false);
      }
    });
  }
}
