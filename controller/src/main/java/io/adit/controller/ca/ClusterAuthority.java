package io.adit.controller.ca;

import com.google.protobuf.InvalidProtocolBufferException;
import io.adit.common.pki.Keys;
import io.adit.common.proto.Timestamps;
import io.adit.common.pki.Pem;
import io.adit.common.store.KeyLayout;
import io.adit.controller.errors.FailedPreconditionException;
import io.adit.controller.store.Kv;
import io.adit.controller.store.Txn;
import io.adit.store.v1.CaRecord;
import io.adit.store.v1.ClusterMeta;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import io.adit.common.pki.Bundles;
import io.adit.controller.errors.ConflictException;
import io.adit.store.v1.TrustBundleRecord;
import io.adit.controller.ca.CaRotation.State;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's CA as every controller sees it: created (or imported) by the first controller
 * that starts on an empty etcd, then loaded by every controller from etcd. The CA key is kept in
 * etcd sealed with the key-encryption key in each controller's data dir ({@code ca.kek}), so two
 * controllers on one etcd sign with the same CA, and a reader of etcd alone cannot.
 *
 * <p>During a CA rotation the set of CAs changes: {@link #refresh} re-reads it from etcd (the
 * controller calls it every few seconds and after each change it makes), so every controller
 * signs with the CA that etcd names active and trusts every CA not retired. The public part,
 * the trust bundle, is also published at {@code trust/bundle}, apart from the sealed keys, for
 * the agents.
 */
public final class ClusterAuthority {
  private static final Logger log = LoggerFactory.getLogger(ClusterAuthority.class);

  /** What this controller knows of the cluster's CAs, replaced whole on every change. */
  private record View(String activeId, CaMaterial active, CertificateSigner signer, List<CaRecord> records,
      List<X509Certificate> bundle, long metaRevision, long bundleVersion) {}

  private final String trustDomain;
  private final Kv kv;
  private final KeyEncryption kek;
  private final Clock clock;
  private final Optional<URI> crlUrl;
  private final List<Runnable> activeChanged = new CopyOnWriteArrayList<>();
  private final Map<String, CaMaterial> unsealed = new java.util.concurrent.ConcurrentHashMap<>();
  private volatile View view;

  private ClusterAuthority(String trustDomain, Kv kv, KeyEncryption kek, Clock clock, Optional<URI> crlUrl) {
    this.trustDomain = trustDomain;
    this.kv = kv;
    this.kek = kek;
    this.clock = clock;
    this.crlUrl = crlUrl;
  }

  /**
   * Loads the cluster's CA from etcd, or creates it there if this is the first controller.
   *
   * @param requestedTrustDomain the {@code --trust-domain} flag, empty to take the cluster's
   * @param imported a CA to import on a new cluster, from {@code --import-ca-cert/--import-ca-key}
   * @throws FailedPreconditionException when this controller cannot use the stored CA, with
   *     what to do about it
   */
  public static ClusterAuthority bootstrap(Kv kv, Path dataDir, Optional<String> requestedTrustDomain,
      Optional<CaMaterial> imported, Clock clock) {
    return bootstrap(kv, dataDir, requestedTrustDomain, imported, clock, Optional.empty());
  }

  /** As above; the leaves it signs carry {@code crlUrl} ({@code --crl-url}) as CRL distribution point. */
  public static ClusterAuthority bootstrap(Kv kv, Path dataDir, Optional<String> requestedTrustDomain,
      Optional<CaMaterial> imported, Clock clock, Optional<URI> crlUrl) {
    for (int attempt = 0; attempt < 5; attempt++) {
      Optional<Kv.Entry> meta = kv.get(KeyLayout.CA_META);
      if (meta.isPresent()) {
        return load(kv, dataDir, parseMeta(meta.get()), requestedTrustDomain, imported, clock, crlUrl);
      }
      String trustDomain = requestedTrustDomain.orElse(DEFAULT_TRUST_DOMAIN);
      CaMaterial material = imported.orElseGet(() -> Authorities.createRoot(trustDomain, clock));
      KeyEncryption kek = KeyEncryption.loadOrCreate(dataDir);
      CaRecord record = sealed(material, kek, State.ACTIVE, imported.isPresent(), clock);
      ClusterMeta clusterMeta = ClusterMeta.newBuilder()
          .setTrustDomain(trustDomain).setActiveCa(record.getId()).setBundleVersion(1).build();
      boolean created = kv.commit(Txn.create()
          .ifAbsent(KeyLayout.CA_META)
          .put(KeyLayout.CA_META, clusterMeta.toByteArray())
          .put(KeyLayout.authority(record.getId()), record.toByteArray())
          .put(KeyLayout.TRUST_BUNDLE, bundleRecord(List.of(material.certificate()), 1).toByteArray()));
      if (created) {
        log.info("{} the cluster CA {} for trust domain {}; its key is sealed in etcd with {}",
            imported.isPresent() ? "imported" : "created", record.getId(), trustDomain, dataDir.resolve(KeyEncryption.FILE_NAME));
        ClusterAuthority authority = new ClusterAuthority(trustDomain, kv, kek, clock, crlUrl);
        authority.refresh();
        return authority;
      }
      // Another controller created the CA first: load theirs.
    }
    throw new FailedPreconditionException("could not create or load the cluster CA in etcd after 5 attempts");
  }

  public static final String DEFAULT_TRUST_DOMAIN = "adit.local";

  private static ClusterAuthority load(Kv kv, Path dataDir, ClusterMeta meta, Optional<String> requestedTrustDomain,
      Optional<CaMaterial> imported, Clock clock, Optional<URI> crlUrl) {
    if (requestedTrustDomain.isPresent() && !requestedTrustDomain.get().equals(meta.getTrustDomain())) {
      throw new FailedPreconditionException("etcd holds a cluster with trust domain '" + meta.getTrustDomain()
          + "' but --trust-domain is '" + requestedTrustDomain.get() + "': drop the flag or point --etcd at another cluster");
    }
    KeyEncryption kek = KeyEncryption.load(dataDir).orElseThrow(() -> new FailedPreconditionException(
        "etcd already holds this cluster's CA, sealed with a key-encryption key that this controller lacks: copy "
            + KeyEncryption.FILE_NAME + " from the data dir of a running controller into " + dataDir + " (mode 0600)"));
    ClusterAuthority authority = new ClusterAuthority(meta.getTrustDomain(), kv, kek, clock, crlUrl);
    authority.refresh();
    if (imported.isPresent() && authority.records().stream()
        .noneMatch(r -> Pem.certificate(r.getCertificatePem()).equals(imported.get().certificate()))) {
      throw new FailedPreconditionException("etcd already holds a different CA (" + authority.activeId()
          + "): --import-ca-cert/--import-ca-key only apply when the cluster is created; drop them");
    }
    authority.publishBundleIfStale();
    log.info("loaded the cluster CA {} (trust domain {}) from etcd", authority.activeId(), meta.getTrustDomain());
    return authority;
  }

  /**
   * Re-reads the CAs from etcd; when the active one changed, unseals its key and tells the
   * listeners. Throws when etcd does not answer or holds something this controller cannot use;
   * the previous view then stays.
   */
  public synchronized void refresh() {
    Kv.Entry metaEntry = kv.get(KeyLayout.CA_META).orElseThrow(() -> new FailedPreconditionException(
        "etcd holds no cluster record at " + KeyLayout.CA_META));
    ClusterMeta meta = parseMeta(metaEntry);
    List<CaRecord> records = new ArrayList<>();
    for (Kv.Entry e : kv.list(KeyLayout.CA_AUTHORITIES).entries()) {
      records.add(parseRecord(e));
    }
    View old = view;
    if (old != null && old.metaRevision() == metaEntry.modRevision() && old.records().equals(records)) {
      return;
    }
    CaRecord activeRecord = records.stream().filter(r -> r.getId().equals(meta.getActiveCa())).findFirst()
        .orElseThrow(() -> new FailedPreconditionException("etcd names CA " + meta.getActiveCa()
            + " as active but holds no record for it under " + KeyLayout.CA_AUTHORITIES));
    CaMaterial active = old != null && old.activeId().equals(activeRecord.getId()) ? old.active() : unseal(activeRecord);
    List<X509Certificate> bundle = bundleOf(records, meta.getActiveCa());
    view = new View(activeRecord.getId(), active, new CertificateSigner(active, clock, crlUrl), List.copyOf(records),
        bundle, metaEntry.modRevision(), meta.getBundleVersion());
    if (old != null && !old.activeId().equals(activeRecord.getId())) {
      log.info("the cluster CA {} signs from now on (it was {})", activeRecord.getId(), old.activeId());
      activeChanged.forEach(Runnable::run);
    }
  }

  /** Runs {@code listener} (on the refreshing thread) whenever another CA becomes the active one. */
  public void onActiveChange(Runnable listener) {
    activeChanged.add(listener);
  }

  private CaMaterial unseal(CaRecord record) {
    if (!kek.id().equals(record.getKekId())) {
      throw new FailedPreconditionException(kek.file()
          + " is not the key that sealed this cluster's CA (kek " + kek.id() + ", CA sealed with " + record.getKekId()
          + "): copy " + KeyEncryption.FILE_NAME + " from the data dir of a running controller");
    }
    X509Certificate cert = Pem.certificate(record.getCertificatePem());
    PrivateKey key = privateKey(cert, kek.open(record.getSealedKey().toByteArray(), aad(record.getId())));
    return new CaMaterial(cert, key);
  }

  /** The trusted CAs: the active one first, then the prepared and retiring ones, oldest first. */
  private static List<X509Certificate> bundleOf(List<CaRecord> records, String activeId) {
    return records.stream()
        .filter(r -> state(r).trusted())
        .sorted(Comparator.comparing((CaRecord r) -> !r.getId().equals(activeId))
            .thenComparing(r -> Timestamps.toInstant(r.getCreateTime())))
        .map(r -> Pem.certificate(r.getCertificatePem()))
        .toList();
  }

  /** Writes {@code trust/bundle} when it is missing or differs: a cluster made before it existed. */
  private void publishBundleIfStale() {
    View v = view;
    String fingerprint = Bundles.fingerprint(v.bundle());
    Optional<Kv.Entry> published = kv.get(KeyLayout.TRUST_BUNDLE);
    if (published.isPresent() && parseBundle(published.get()).getFingerprint().equals(fingerprint)) {
      return;
    }
    Txn txn = published.isPresent() ? Txn.create().ifModRevision(KeyLayout.TRUST_BUNDLE, published.get().modRevision())
        : Txn.create().ifAbsent(KeyLayout.TRUST_BUNDLE);
    if (kv.commit(txn.ifModRevision(KeyLayout.CA_META, v.metaRevision())
        .put(KeyLayout.TRUST_BUNDLE, bundleRecord(v.bundle(), v.bundleVersion()).toByteArray()))) {
      log.info("published the trust bundle ({} CA(s)) at {} for the agents", v.bundle().size(), KeyLayout.TRUST_BUNDLE);
    }
  }

  /**
   * Starts a rotation: a new CA, prepared (trusted, not signing), written with the new bundle in
   * one transaction through {@code store} (which audits it).
   *
   * @throws FailedPreconditionException when a rotation is already under way
   * @throws ConflictException when another controller changed the CAs meanwhile
   */
  public CaRecord prepare(Kv store) {
    refresh();
    View v = view;
    Optional<CaRecord> pending = v.records().stream().filter(r -> state(r) == State.PREPARED).findFirst();
    if (pending.isPresent()) {
      throw new FailedPreconditionException("a CA rotation is already under way: CA " + pending.get().getId()
          + " is prepared and activates once every Ready node holds the new trust bundle; see aditctl ca list");
    }
    CaMaterial material = Authorities.createRoot(trustDomain, clock, Authorities.COMMON_NAME + " " + (v.records().size() + 1));
    CaRecord record = sealed(material, kek, State.PREPARED, false, clock);
    List<CaRecord> after = new ArrayList<>(v.records());
    after.add(record);
    io.adit.controller.audit.Audit.detail("new CA " + record.getId() + " prepared ("
        + material.certificate().getSubjectX500Principal().getName() + "); it signs once every Ready node holds the new bundle");
    commitChange(store, v, after, v.activeId());
    log.info("prepared the new cluster CA {}: it signs once every Ready node holds the new trust bundle", record.getId());
    return record;
  }

  /**
   * Applies a rotation step ({@link CaRotation#plan}) in one transaction through {@code store};
   * false if another controller changed the CAs first (nothing was written).
   */
  public boolean apply(Kv store, Map<String, State> transitions) {
    View v = view;
    String activeId = v.activeId();
    List<CaRecord> after = new ArrayList<>();
    for (CaRecord r : v.records()) {
      State next = transitions.get(r.getId());
      if (next == null) {
        after.add(r);
        continue;
      }
      CaRecord.Builder b = r.toBuilder().setState(next.label()).setStateTime(Timestamps.of(clock.instant()));
      if (next == State.RETIRED) {
        b.clearSealedKey(); // it will never sign again
      }
      if (next == State.ACTIVE) {
        activeId = r.getId();
      }
      after.add(b.build());
    }
    try {
      commitChange(store, v, after, activeId);
    } catch (ConflictException e) {
      return false;
    }
    return true;
  }

  private void commitChange(Kv store, View v, List<CaRecord> after, String activeId) {
    long version = v.bundleVersion() + 1;
    ClusterMeta meta = ClusterMeta.newBuilder().setTrustDomain(trustDomain).setActiveCa(activeId)
        .setBundleVersion(version).build();
    Txn txn = Txn.create().ifModRevision(KeyLayout.CA_META, v.metaRevision())
        .put(KeyLayout.CA_META, meta.toByteArray())
        .put(KeyLayout.TRUST_BUNDLE, bundleRecord(bundleOf(after, activeId), version).toByteArray());
    for (CaRecord r : after) {
      if (!v.records().contains(r)) {
        txn.put(KeyLayout.authority(r.getId()), r.toByteArray());
      }
    }
    if (!store.commit(txn)) {
      throw new ConflictException("another controller changed the cluster's CAs at the same moment: try again");
    }
    refresh();
  }

  private static CaRecord sealed(CaMaterial material, KeyEncryption kek, State state, boolean imported, Clock clock) {
    String id = caId(material.certificate());
    return CaRecord.newBuilder()
        .setId(id)
        .setCertificatePem(Pem.encode(material.certificate()))
        .setSealedKey(com.google.protobuf.ByteString.copyFrom(kek.seal(material.privateKey().getEncoded(), aad(id))))
        .setKekId(kek.id())
        .setState(state.label())
        .setCreateTime(Timestamps.of(clock.instant()))
        .setStateTime(Timestamps.of(clock.instant()))
        .setImported(imported)
        .build();
  }

  private static TrustBundleRecord bundleRecord(List<X509Certificate> bundle, long version) {
    return TrustBundleRecord.newBuilder().setPem(Pem.encode(bundle)).setFingerprint(Bundles.fingerprint(bundle))
        .setVersion(version).build();
  }

  /** A CA record's state; records from before rotation existed say "active". */
  public static State state(CaRecord r) {
    return r.getState().isEmpty() ? State.ACTIVE : State.parse(r.getState());
  }

  public String trustDomain() {
    return trustDomain;
  }

  public CaMaterial active() {
    return view.active();
  }

  /** The id of the CA that signs now. */
  public String activeId() {
    return view.activeId();
  }

  public CertificateSigner signer() {
    return view.signer();
  }

  /**
   * Every CA still trusted with its key, the active one first: each signs its own CRL during a
   * rotation (a retired CA's key is gone, and so is its CRL).
   */
  public List<CaMaterial> trusted() {
    View v = view;
    List<CaMaterial> out = new ArrayList<>(List.of(v.active()));
    for (CaRecord r : v.records()) {
      if (state(r).trusted() && !r.getId().equals(v.activeId()) && !r.getSealedKey().isEmpty()) {
        out.add(unsealed.computeIfAbsent(r.getId(), id -> unseal(r)));
      }
    }
    return out;
  }

  /** Every CA of the cluster, retired ones included, as stored. */
  public List<CaRecord> records() {
    return view.records();
  }

  /** Every CA certificate the cluster trusts (prepared, active, retiring), the active one first. */
  public List<X509Certificate> bundle() {
    return view.bundle();
  }

  public String bundlePem() {
    return Pem.encode(bundle());
  }

  /** The fingerprint of {@link #bundle()} that agents report once they hold it. */
  public String bundleFingerprint() {
    return Bundles.fingerprint(bundle());
  }

  /** The SPKI hashes of the bundle, which join tokens pin. */
  public List<String> bundleHashes() {
    return bundle().stream().map(Keys::spkiHash).toList();
  }
  /** The id of a CA certificate, as in {@code ca/authorities/<id>} and {@code ca list}. */
  public static String caId(X509Certificate cert) {
    return Keys.spkiHash(cert).substring(0, 16).replace('-', 'x').replace('_', 'y');
  }

  private static byte[] aad(String id) {
    return ("adit-ca-key:" + id).getBytes(StandardCharsets.UTF_8);
  }

  private static PrivateKey privateKey(X509Certificate cert, byte[] pkcs8) {
    try {
      String alg = cert.getPublicKey().getAlgorithm();
      return KeyFactory.getInstance("EC".equals(alg) || "ECDSA".equals(alg) ? "EC" : alg)
          .generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    } catch (GeneralSecurityException e) {
      throw new FailedPreconditionException("the CA key in etcd is not a valid key: " + e.getMessage(), e);
    }
  }

  private static ClusterMeta parseMeta(Kv.Entry e) {
    try {
      return ClusterMeta.parseFrom(e.value());
    } catch (InvalidProtocolBufferException ex) {
      throw new FailedPreconditionException("the cluster record at " + e.key() + " is corrupt: " + ex.getMessage(), ex);
    }
  }

  private static TrustBundleRecord parseBundle(Kv.Entry e) {
    try {
      return TrustBundleRecord.parseFrom(e.value());
    } catch (InvalidProtocolBufferException ex) {
      throw new FailedPreconditionException("the trust bundle at " + e.key() + " is corrupt: " + ex.getMessage(), ex);
    }
  }

  private static CaRecord parseRecord(Kv.Entry e) {
    try {
      return CaRecord.parseFrom(e.value());
    } catch (InvalidProtocolBufferException ex) {
      throw new FailedPreconditionException("the CA record at " + e.key() + " is corrupt: " + ex.getMessage(), ex);
    }
  }
}
