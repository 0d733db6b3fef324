package io.adit.controller.ca;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The CA rotation state machine, pure: given the CAs, the Ready nodes with the bundle each has
 * applied, and the certificates still valid, what changes now and what each CA waits for.
 *
 * <pre>
 * prepared ──(every Ready node holds the bundle with it, and it is old enough)──▶ active
 * active ──(a prepared CA activates)──▶ retiring
 * retiring ──(the last unrevoked certificate it signed has expired, plus slack)──▶ retired
 * </pre>
 *
 * A prepared CA is in the trust bundle but does not sign; a retiring one is in the bundle but
 * no longer signs; a retired one is out of the bundle.
 */
public final class CaRotation {
  private CaRotation() {}

  public enum State {
    PREPARED, ACTIVE, RETIRING, RETIRED;

    /** As stored in etcd and shown to users: "prepared", "active", ... */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static State parse(String label) {
      return State.valueOf(label.toUpperCase(Locale.ROOT));
    }

    public boolean trusted() {
      return this != RETIRED;
    }
  }

  /** One CA: its id, state, and since when it is in that state. */
  public record Authority(String id, State state, Instant since) {}

  /**
   * A certificate that is not revoked (expired or not): {@code caId} signed it (empty when the
   * record predates rotation, so it may belong to any CA); {@code what} names it for people.
   */
  public record Signed(String caId, Instant notAfter, String what) {}

  /**
   * @param minPrepared how long a CA stays prepared at least: every controller refreshes its
   *     view of the bundle within it, so none refuses the new CA's certificates
   * @param retireSlack how long a retiring CA stays trusted after its last certificate expires
   */
  public record Settings(Duration minPrepared, Duration retireSlack) {}

  /**
   * @param bundleFingerprint the fingerprint of the current trust bundle
   * @param readyNodes each Ready node (presence lease alive) with the fingerprint of the bundle
   *     it reports (empty if it reported none)
   * @param signed the certificates not revoked, including expired ones: the last one to expire
   *     holds its CA for {@code retireSlack} more
   */
  public record Inputs(List<Authority> authorities, String bundleFingerprint, Map<String, String> readyNodes,
      List<Signed> signed, Instant now) {}

  /** What a CA waits for: nodes (prepared), or a time and the certificate that sets it (retiring). */
  public record Waiting(List<String> nodes, Optional<Instant> earliestActivation, Optional<Instant> retireAt,
      Optional<String> lastCertificate) {
    static final Waiting NOTHING = new Waiting(List.of(), Optional.empty(), Optional.empty(), Optional.empty());
  }

  /** The changes to make now (id → new state, in order), and what each CA waits for after them. */
  public record Plan(Map<String, State> transitions, Map<String, Waiting> waiting) {
    public boolean isEmpty() {
      return transitions.isEmpty();
    }
  }

  public static Plan plan(Inputs in, Settings settings) {
    Map<String, State> transitions = new LinkedHashMap<>();
    Map<String, Waiting> waiting = new LinkedHashMap<>();
    List<Authority> after = new ArrayList<>();
    Optional<Authority> prepared = in.authorities().stream().filter(a -> a.state() == State.PREPARED)
        .max(Comparator.comparing(Authority::since));
    for (Authority a : in.authorities()) {
      if (a.state() == State.PREPARED && prepared.isPresent() && prepared.get() != a) {
        // Never happens through RotateCa (one rotation at a time); an older prepared CA is left as it is.
        waiting.put(a.id(), Waiting.NOTHING);
      }
    }
    boolean activates = false;
    if (prepared.isPresent()) {
      Authority p = prepared.get();
      List<String> behind = in.readyNodes().entrySet().stream()
          .filter(e -> !e.getValue().equals(in.bundleFingerprint()))
          .map(Map.Entry::getKey).sorted().toList();
      Instant earliest = p.since().plus(settings.minPrepared());
      if (behind.isEmpty() && !in.now().isBefore(earliest)) {
        activates = true;
        transitions.put(p.id(), State.ACTIVE);
        waiting.put(p.id(), Waiting.NOTHING);
      } else {
        waiting.put(p.id(), new Waiting(behind, Optional.of(earliest), Optional.empty(), Optional.empty()));
      }
    }
    for (Authority a : in.authorities()) {
      if (a.state() == State.ACTIVE && activates) {
        transitions.put(a.id(), State.RETIRING);
        after.add(new Authority(a.id(), State.RETIRING, in.now()));
      } else if (a.state() == State.ACTIVE) {
        waiting.put(a.id(), Waiting.NOTHING);
      } else if (a.state() == State.RETIRING) {
        after.add(a);
      } else if (a.state() == State.RETIRED) {
        waiting.put(a.id(), Waiting.NOTHING);
      }
    }
    for (Authority r : after) {
      Optional<Signed> last = in.signed().stream()
          .filter(s -> s.caId().isEmpty() || s.caId().equals(r.id()))
          .max(Comparator.comparing(Signed::notAfter));
      Instant base = last.map(Signed::notAfter).filter(t -> t.isAfter(r.since())).orElse(r.since());
      Instant retireAt = base.plus(settings.retireSlack());
      if (!in.now().isBefore(retireAt)) {
        transitions.put(r.id(), State.RETIRED);
        waiting.put(r.id(), Waiting.NOTHING);
      } else {
        waiting.put(r.id(), new Waiting(List.of(), Optional.empty(), Optional.of(retireAt),
            last.filter(s -> s.notAfter().isAfter(r.since())).map(Signed::what)));
      }
    }
    return new Plan(transitions, waiting);
  }
}
