package io.adit.agent.identity;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.random.RandomGenerator;

/**
 * When to renew a certificate: at about half its lifetime, with jitter so that a fleet that got
 * its certificates at the same moment does not renew at the same moment. Pure.
 */
public final class RenewalPolicy {
  /** Renew somewhere between 45 % and 55 % of the lifetime. */
  static final double HALF = 0.5;
  static final double JITTER = 0.05;

  private RenewalPolicy() {}

  /** The moment to renew {@code cert}; {@code random} in [0, 1). */
  public static Instant renewAt(X509Certificate cert, double random) {
    Instant from = cert.getNotBefore().toInstant();
    Instant to = cert.getNotAfter().toInstant();
    long lifetimeMs = Duration.between(from, to).toMillis();
    double fraction = HALF - JITTER + 2 * JITTER * random;
    return from.plusMillis((long) (lifetimeMs * fraction));
  }

  public static Instant renewAt(X509Certificate cert, RandomGenerator random) {
    return renewAt(cert, random.nextDouble());
  }

  public static boolean shouldRenew(Instant now, X509Certificate cert, double random) {
    return !now.isBefore(renewAt(cert, random));
  }

  /** Backoff after failed renewals: 1 s, 2 s, 4 s … capped at 1/10 of the lifetime and 5 min. */
  public static Duration backoff(int failures, X509Certificate cert) {
    long lifetimeMs = Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant()).toMillis();
    long cap = Math.max(1000, Math.min(lifetimeMs / 10, Duration.ofMinutes(5).toMillis()));
    long delay = 1000L << Math.min(Math.max(failures - 1, 0), 20);
    return Duration.ofMillis(Math.min(delay, cap));
  }
}
