package io.adit.controller.audit;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * The change an API call is about to make, for {@link AuditingKv} to record in the same etcd
 * transaction as the change: no change goes unrecorded, and nothing is recorded for a change
 * that did not happen (a dry run, a refused call, a lost compare-and-swap). Bound to the
 * calling thread for the duration of {@link #of}.
 */
public final class Audit {
  private static final ThreadLocal<Pending> CURRENT = new ThreadLocal<>();

  /** One change waiting to be recorded; recorded at most once. */
  static final class Pending {
    final String actor;
    final String action;
    final String target;
    String detail = "";
    boolean recorded;

    Pending(String actor, String action, String target) {
      this.actor = actor;
      this.action = action;
      this.target = target;
    }
  }

  private Audit() {}

  /** Runs {@code body} with {@code action} on {@code target} by {@code actor} pending. */
  public static <T> T of(String actor, String action, String target, Supplier<T> body) {
    Pending previous = CURRENT.get();
    CURRENT.set(new Pending(Objects.requireNonNull(actor), Objects.requireNonNull(action), Objects.requireNonNull(target)));
    try {
      return body.get();
    } finally {
      if (previous == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(previous);
      }
    }
  }

  /** Adds detail to the pending change (a serial known only once signed), if any. */
  public static void detail(String detail) {
    Pending p = CURRENT.get();
    if (p != null) {
      p.detail = detail;
    }
  }

  static Pending pending() {
    return CURRENT.get();
  }
}
