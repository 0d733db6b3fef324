package io.adit.controller.ca;

import io.adit.common.validation.Durations;
import io.adit.common.validation.InvalidInputException;
import java.time.Duration;
import java.util.Objects;

/**
 * How long leaf certificates live: the default when the caller asks for nothing, and a cap.
 * Asking for more than the cap is not an error; the caller gets the cap, and the certificate
 * says so. Whole seconds are the finest unit because X.509 times have no fractions.
 */
public record TtlPolicy(Duration defaultTtl, Duration maxTtl) {
  static final Duration SHORTEST = Duration.ofSeconds(1);

  public TtlPolicy {
    Objects.requireNonNull(defaultTtl, "defaultTtl");
    Objects.requireNonNull(maxTtl, "maxTtl");
    requireUsable("--default-ttl", defaultTtl);
    requireUsable("--max-ttl", maxTtl);
    if (defaultTtl.compareTo(maxTtl) > 0) {
      throw new InvalidInputException("--default-ttl " + Durations.format(defaultTtl)
          + " is longer than --max-ttl " + Durations.format(maxTtl) + ": lower --default-ttl or raise --max-ttl");
    }
  }

  /** The lifetime to issue for a request; null or zero means "the default". */
  public Duration resolve(Duration requested) {
    if (requested == null || requested.isZero()) {
      return defaultTtl;
    }
    if (requested.isNegative()) {
      throw new InvalidInputException("a certificate lifetime cannot be negative: " + requested);
    }
    if (requested.compareTo(SHORTEST) < 0) {
      throw new InvalidInputException("a certificate lifetime of " + Durations.format(requested)
          + " is too short: the shortest is 1s");
    }
    return requested.compareTo(maxTtl) > 0 ? maxTtl : requested;
  }

  private static void requireUsable(String flag, Duration ttl) {
    if (ttl.compareTo(SHORTEST) < 0) {
      String given = ttl.isNegative() ? "a negative duration" : Durations.format(ttl);
      throw new InvalidInputException(flag + " must be at least 1s, not " + given);
    }
  }
}
