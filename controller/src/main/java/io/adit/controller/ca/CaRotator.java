package io.adit.controller.ca;

import io.adit.api.v1.CertificateAuthority;
import io.adit.common.pki.Pem;
import io.adit.common.pki.SpiffeId;
import io.adit.common.proto.Timestamps;
import io.adit.common.store.KeyLayout;
import io.adit.controller.audit.Audit;
import io.adit.controller.ca.CaRotation.Authority;
import io.adit.controller.ca.CaRotation.Plan;
import io.adit.controller.ca.CaRotation.Settings;
import io.adit.controller.ca.CaRotation.Signed;
import io.adit.controller.ca.CaRotation.State;
import io.adit.controller.ca.CaRotation.Waiting;
import io.adit.controller.store.Kv;
import io.adit.controller.store.Records;
import io.adit.store.v1.CaRecord;
import io.adit.store.v1.IssuedRecord;
import io.adit.store.v1.NodeTrust;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives CA rotations: starts one ({@link #rotate}), and moves the CAs along
 * ({@link #step}, on a schedule and before every {@code ca list}) from what etcd says — the
 * Ready nodes and the bundle each applied ({@code nodes/<node>/presence}, {@code .../trust}),
 * and the certificates still valid ({@code issued/} minus {@code revoked/}). Every change is one
 * compare-and-swap transaction with its audit record, so several controllers stepping at once
 * make each change once.
 */
public final class CaRotator {
  private static final Logger log = LoggerFactory.getLogger(CaRotator.class);

  private final ClusterAuthority authority;
  private final Kv store;
  private final Clock clock;
  private final Settings settings;

  /** @param store the audited store every change goes through */
  public CaRotator(ClusterAuthority authority, Kv store, Clock clock, Settings settings) {
    this.authority = authority;
    this.store = store;
    this.clock = clock;
    this.settings = settings;
  }

  /** Prepares a new CA (recorded as {@code ca.rotate} by the caller's pending audit). */
  public CertificateAuthority rotate() {
    CaRecord prepared = authority.prepare(store);
    return describe(prepared, plan().waiting().getOrDefault(prepared.getId(), null));
  }

  private boolean failing; // only the scheduler's thread touches it

  /**
   * Moves the CAs along if they may; never throws (it runs on a scheduler). A failure is logged
   * once until it clears, not every few seconds while etcd is down.
   */
  public void stepQuietly() {
    try {
      step();
      if (failing) {
        log.info("re-reading the cluster's CAs from etcd works again");
        failing = false;
      }
    } catch (RuntimeException e) {
      if (!failing) {
        log.warn("cannot re-read the cluster's CAs from etcd ({}); signing goes on with the CA known, retrying every"
            + " few seconds", e.getMessage());
      }
      failing = true;
    }
  }

  /** Moves the CAs along if they may, and returns what each waits for afterwards. */
  public synchronized Plan step() {
    authority.refresh();
    Plan plan = plan();
    String actor = SpiffeId.controller(authority.trustDomain()).toString();
    Map<String, State> activation = new TreeMap<>();
    plan.transitions().forEach((id, state) -> {
      if (state == State.ACTIVE || state == State.RETIRING) {
        activation.put(id, state);
      }
    });
    String activated = activation.entrySet().stream().filter(e -> e.getValue() == State.ACTIVE)
        .map(Map.Entry::getKey).findFirst().orElse(null);
    if (activated != null) {
      String retiring = activation.entrySet().stream().filter(e -> e.getValue() == State.RETIRING)
          .map(Map.Entry::getKey).findFirst().orElse("none");
      boolean done = Audit.of(actor, "ca.activate", activated, () -> {
        Audit.detail("every Ready node holds the new trust bundle; CA " + retiring + " is retiring");
        return authority.apply(store, activation);
      });
      if (done) {
        log.info("CA {} is active: every Ready node holds the new trust bundle; CA {} no longer signs and retires"
            + " once the last certificate it signed has expired", activated, retiring);
      }
    }
    for (Map.Entry<String, State> t : plan.transitions().entrySet()) {
      if (t.getValue() != State.RETIRED) {
        continue;
      }
      boolean done = Audit.of(actor, "ca.retire", t.getKey(), () -> {
        Audit.detail("every certificate it signed has expired or is revoked; removed from the trust bundle");
        return authority.apply(store, Map.of(t.getKey(), State.RETIRED));
      });
      if (done) {
        log.info("CA {} retired: every certificate it signed has expired or is revoked; it left the trust bundle", t.getKey());
      }
    }
    return plan.isEmpty() ? plan : plan();
  }

  /** What the CAs would do now, from etcd, changing nothing. */
  public Plan plan() {
    Instant now = clock.instant();
    List<Authority> cas = authority.records().stream()
        .map(r -> new Authority(r.getId(), ClusterAuthority.state(r),
            Timestamps.toInstant(r.hasStateTime() ? r.getStateTime() : r.getCreateTime())))
        .toList();
    boolean rotating = cas.stream().anyMatch(a -> a.state() == State.PREPARED || a.state() == State.RETIRING);
    Map<String, String> ready = rotating ? readyNodes() : Map.of();
    List<Signed> signed = rotating ? signed() : List.of();
    return CaRotation.plan(new CaRotation.Inputs(cas, authority.bundleFingerprint(), ready, signed, now), settings);
  }

  /** Every CA, newest first, with what it waits for. */
  public List<CertificateAuthority> list() {
    Plan plan = step();
    List<CaRecord> records = new ArrayList<>(authority.records());
    records.sort(Comparator.comparing((CaRecord r) -> Timestamps.toInstant(r.getCreateTime())).reversed());
    return records.stream().map(r -> describe(r, plan.waiting().get(r.getId()))).toList();
  }

  private static CertificateAuthority describe(CaRecord r, Waiting waiting) {
    X509Certificate cert = Pem.certificate(r.getCertificatePem());
    CertificateAuthority.Builder b = CertificateAuthority.newBuilder()
        .setId(r.getId())
        .setSubject(cert.getSubjectX500Principal().getName())
        .setState(ClusterAuthority.state(r).label())
        .setNotAfter(Timestamps.of(cert.getNotAfter().toInstant()))
        .setCreateTime(r.getCreateTime())
        .setStateTime(r.hasStateTime() ? r.getStateTime() : r.getCreateTime())
        .setImported(r.getImported())
        .setCertificatePem(r.getCertificatePem());
    if (waiting != null) {
      b.addAllWaitingForNodes(waiting.nodes());
      waiting.earliestActivation().ifPresent(t -> b.setEarliestActivation(Timestamps.of(t)));
      waiting.retireAt().ifPresent(t -> b.setRetireTime(Timestamps.of(t)));
      waiting.lastCertificate().ifPresent(b::setLastCertificate);
    }
    return b.build();
  }

  /** Each Ready node (presence lease alive) with the bundle fingerprint it reported ("" if none). */
  private Map<String, String> readyNodes() {
    Map<String, String> trust = new TreeMap<>();
    Set<String> ready = new HashSet<>();
    for (Kv.Entry e : store.list(KeyLayout.NODES).entries()) {
      String[] parts = KeyLayout.splitNodeKey(e.key());
      if (parts == null) {
        continue;
      }
      if (parts[1].equals("presence")) {
        ready.add(parts[0]);
      } else if (parts[1].equals("trust")) {
        trust.put(parts[0], Records.parse(NodeTrust.parser(), e).getBundleFingerprint());
      }
    }
    Map<String, String> out = new TreeMap<>();
    ready.forEach(n -> out.put(n, trust.getOrDefault(n, "")));
    return out;
  }

  /**
   * The certificates not revoked, with the CA that signed each, expired ones included (until
   * the hourly prune drops their records): a CA retires {@code retireSlack} after its last
   * certificate expired, so that one must still count once it has expired.
   */
  private List<Signed> signed() {
    Set<String> revoked = new HashSet<>();
    store.list(KeyLayout.REVOKED).entries().forEach(e -> revoked.add(KeyLayout.lastSegment(e.key())));
    List<Signed> out = new ArrayList<>();
    for (Kv.Entry e : store.list(KeyLayout.ISSUED).entries()) {
      IssuedRecord r = Records.parse(IssuedRecord.parser(), e);
      Instant notAfter = Timestamps.toInstant(r.getNotAfter());
      if (!revoked.contains(r.getSerial())) {
        String kind = r.getKind().name().startsWith("KIND_") ? r.getKind().name().substring(5) : r.getKind().name();
        out.add(new Signed(r.getCaId(), notAfter,
            kind.toLowerCase(java.util.Locale.ROOT) + "/" + r.getName() + " serial " + r.getSerial()));
      }
    }
    return out;
  }
}
