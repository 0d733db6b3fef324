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
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's CA as every controller sees it: created (or imported) by the first controller
 * that starts on an empty etcd, then loaded by every controller from etcd. The CA key is kept in
 * etcd sealed with the key-encryption key in each controller's data dir ({@code ca.kek}), so two
 * controllers on one etcd sign with the same CA, and a reader of etcd alone cannot.
 */
public final class ClusterAuthority {
  private static final Logger log = LoggerFactory.getLogger(ClusterAuthority.class);

  private final String trustDomain;
  private final CaMaterial active;
  private final List<X509Certificate> bundle;
  private final CertificateSigner signer;

  private ClusterAuthority(String trustDomain, CaMaterial active, List<X509Certificate> bundle, Clock clock,
      Optional<URI> crlUrl) {
    this.trustDomain = trustDomain;
    this.active = active;
    this.bundle = List.copyOf(bundle);
    this.signer = new CertificateSigner(active, clock, crlUrl);
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
      String id = caId(material.certificate());
      CaRecord record = CaRecord.newBuilder()
          .setId(id)
          .setCertificatePem(Pem.encode(material.certificate()))
          .setSealedKey(com.google.protobuf.ByteString.copyFrom(
              kek.seal(material.privateKey().getEncoded(), aad(id))))
          .setKekId(kek.id())
          .setState("active")
          .setCreateTime(Timestamps.of(clock.instant()))
          .setImported(imported.isPresent())
          .build();
      ClusterMeta clusterMeta = ClusterMeta.newBuilder()
          .setTrustDomain(trustDomain).setActiveCa(id).setBundleVersion(1).build();
      boolean created = kv.commit(Txn.create()
          .ifAbsent(KeyLayout.CA_META)
          .put(KeyLayout.CA_META, clusterMeta.toByteArray())
          .put(KeyLayout.authority(id), record.toByteArray()));
      if (created) {
        log.info("{} the cluster CA {} for trust domain {}; its key is sealed in etcd with {}",
            imported.isPresent() ? "imported" : "created", id, trustDomain, dataDir.resolve(KeyEncryption.FILE_NAME));
        return new ClusterAuthority(trustDomain, material, List.of(material.certificate()), clock, crlUrl);
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
    CaRecord record = kv.get(KeyLayout.authority(meta.getActiveCa()))
        .map(ClusterAuthority::parseRecord)
        .orElseThrow(() -> new FailedPreconditionException("etcd names CA " + meta.getActiveCa()
            + " as active but holds no record for it under " + KeyLayout.CA_AUTHORITIES));
    KeyEncryption kek = KeyEncryption.load(dataDir).orElseThrow(() -> new FailedPreconditionException(
        "etcd already holds this cluster's CA, sealed with a key-encryption key that this controller lacks: copy "
            + KeyEncryption.FILE_NAME + " from the data dir of a running controller into " + dataDir + " (mode 0600)"));
    if (!kek.id().equals(record.getKekId())) {
      throw new FailedPreconditionException(dataDir.resolve(KeyEncryption.FILE_NAME)
          + " is not the key that sealed this cluster's CA (kek " + kek.id() + ", CA sealed with " + record.getKekId()
          + "): copy " + KeyEncryption.FILE_NAME + " from the data dir of a running controller");
    }
    X509Certificate cert = Pem.certificate(record.getCertificatePem());
    PrivateKey key = privateKey(cert, kek.open(record.getSealedKey().toByteArray(), aad(record.getId())));
    if (imported.isPresent() && !imported.get().certificate().equals(cert)) {
      throw new FailedPreconditionException("etcd already holds a different CA (" + record.getId()
          + "): --import-ca-cert/--import-ca-key only apply when the cluster is created; drop them");
    }
    List<X509Certificate> bundle = new ArrayList<>();
    for (Kv.Entry e : kv.list(KeyLayout.CA_AUTHORITIES).entries()) {
      bundle.add(Pem.certificate(parseRecord(e).getCertificatePem()));
    }
    log.info("loaded the cluster CA {} (trust domain {}) from etcd", record.getId(), meta.getTrustDomain());
    return new ClusterAuthority(meta.getTrustDomain(), new CaMaterial(cert, key), bundle, clock, crlUrl);
  }

  public String trustDomain() {
    return trustDomain;
  }

  public CaMaterial active() {
    return active;
  }

  public CertificateSigner signer() {
    return signer;
  }

  /** Every CA certificate the cluster trusts. */
  public List<X509Certificate> bundle() {
    return bundle;
  }

  public String bundlePem() {
    return Pem.encode(bundle);
  }

  /** The SPKI hashes of the bundle, which join tokens pin. */
  public List<String> bundleHashes() {
    return bundle.stream().map(Keys::spkiHash).toList();
  }

  static String caId(X509Certificate cert) {
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

  private static CaRecord parseRecord(Kv.Entry e) {
    try {
      return CaRecord.parseFrom(e.value());
    } catch (InvalidProtocolBufferException ex) {
      throw new FailedPreconditionException("the CA record at " + e.key() + " is corrupt: " + ex.getMessage(), ex);
    }
  }
}
