package io.adit.controller.crl;

import io.adit.api.v1.Revocation;
import io.adit.common.proto.Timestamps;
import io.adit.common.store.KeyLayout;
import io.adit.controller.ca.CaMaterial;
import io.adit.controller.ca.CrlSigner;
import io.adit.controller.errors.ConflictException;
import io.adit.controller.errors.FailedPreconditionException;
import io.adit.controller.store.Kv;
import io.adit.controller.store.Records;
import io.adit.controller.store.Txn;
import io.adit.store.v1.CrlState;
import io.adit.store.v1.RevocationRecord;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.cert.CRLException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's CRL, made from the revocations in etcd ({@code revoked/<serial>}) and signed by
 * the active CA. Every revocation whose certificate has not expired is listed (one whose expiry
 * is unknown stays listed). A CRL is kept and served again until the revocations in force or
 * the active CA change, or half its validity has passed; then a new one is made. Each new CRL
 * takes the next number from {@code ca/crl} with a compare-and-swap, so the number grows across
 * restarts and controllers, and no two CRLs made at different times share one (RFC 5280 5.2.3).
 *
 * <p>Thread-safe: callers are serialised, so concurrent requests make at most one CRL. Every
 * etcd call is bounded by the store's deadline; failures surface as the store's exceptions.
 */
public final class CrlMaker {
  private static final Logger log = LoggerFactory.getLogger(CrlMaker.class);
  public static final Duration DEFAULT_VALIDITY = Duration.ofHours(1);
  /** How old a check against etcd {@link #recent} may serve, so that unauthenticated callers cannot drive etcd. */
  static final Duration RECENT = Duration.ofSeconds(1);
  private static final int NUMBER_ATTEMPTS = 10;

  private final Kv kv;
  private final Supplier<CaMaterial> ca;
  private final Supplier<List<CaMaterial>> trusted;
  private final Clock clock;
  private final Duration validity;
  private final Map<X509Certificate, Made> made = new java.util.HashMap<>(); // guarded by this
  private Recent recent; // guarded by this

  /** The CRL last made by one CA and what it was made from. */
  private record Made(SignedCrl crl, SortedMap<BigInteger, Instant> revoked) {}

  /** What {@link #recent} served last, and when it asked etcd. */
  private record Recent(SignedCrl crl, Instant checkedAt) {}

  /**
   * @param ca the CA that signs, asked on every call so that a new active CA signs the next CRL
   * @param validity from thisUpdate to nextUpdate
   */
  public CrlMaker(Kv kv, Supplier<CaMaterial> ca, Clock clock, Duration validity) {
    this(kv, ca, () -> List.of(ca.get()), clock, validity);
  }

  /**
   * As above, with every CA still trusted ({@code trusted}, the active one first): during a CA
   * rotation each of them signs a CRL of its own, since a verifier looks for a certificate's
   * revocation in the CRL of the CA that issued it. Serials are random 128-bit numbers, so each
   * CRL simply lists every revocation in force.
   */
  public CrlMaker(Kv kv, Supplier<CaMaterial> ca, Supplier<List<CaMaterial>> trusted, Clock clock, Duration validity) {
    this.kv = Objects.requireNonNull(kv, "kv");
    this.trusted = Objects.requireNonNull(trusted, "trusted");
    this.ca = Objects.requireNonNull(ca, "ca");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (validity.compareTo(Duration.ofSeconds(2)) < 0) {
      throw new IllegalArgumentException("a CRL validity of " + validity + " is too short");
    }
    this.validity = validity;
  }

  /** The active CA's CRL as of now: the revocations are read from etcd on every call. */
  public synchronized SignedCrl current() {
    Instant now = clock.instant();
    return of(ca.get(), inForce(now), now);
  }

  /**
   * The CRL of the trusted CA {@code caId} (as {@code ca list} names it) as of now.
   *
   * @throws io.adit.controller.errors.NotFoundException if no trusted CA has that id
   */
  public synchronized SignedCrl forCa(String caId) {
    Instant now = clock.instant();
    CaMaterial signer = trusted.get().stream()
        .filter(m -> io.adit.controller.ca.ClusterAuthority.caId(m.certificate()).equals(caId)).findFirst()
        .orElseThrow(() -> new io.adit.controller.errors.NotFoundException("no trusted CA has id " + caId
            + ": aditctl ca list shows the CAs and their ids"));
    return of(signer, inForce(now), now);
  }

  /**
   * The CRL of every trusted CA as of now, in one: the DER and the numbers are the active CA's,
   * the PEM holds each CA's CRL in turn (the active one first), as stunnel's CRLfile and
   * {@code openssl verify -CRLfile} accept it.
   */
  public synchronized SignedCrl allTrusted() {
    Instant now = clock.instant();
    SortedMap<BigInteger, Instant> revoked = inForce(now);
    SignedCrl active = of(ca.get(), revoked, now);
    StringBuilder pem = new StringBuilder(active.pem());
    for (CaMaterial m : trusted.get()) {
      if (!m.certificate().equals(ca.get().certificate())) {
        pem.append(of(m, revoked, now).pem());
      }
    }
    made.keySet().retainAll(trusted.get().stream().map(CaMaterial::certificate).toList());
    return new SignedCrl(active.der(), pem.toString(), active.thisUpdate(), active.nextUpdate(), active.number(),
        active.revokedCount());
  }

  /** As {@link #allTrusted}, but reads etcd at most once a second; for the unauthenticated HTTP endpoint. */
  public synchronized SignedCrl recent() {
    Recent last = recent;
    if (last != null && clock.instant().isBefore(last.checkedAt().plus(RECENT))
        && clock.instant().isBefore(refreshAt(last.crl()))) {
      return last.crl();
    }
    SignedCrl crl = allTrusted();
    recent = new Recent(crl, clock.instant());
    return crl;
  }

  /** {@code signer}'s CRL: the one made before if nothing changed and it is fresh enough, else a new one. */
  private SignedCrl of(CaMaterial signer, SortedMap<BigInteger, Instant> revoked, Instant now) {
    Made last = made.get(signer.certificate());
    if (last != null && last.revoked().equals(revoked) && now.isBefore(refreshAt(last.crl()))) {
      return last.crl();
    }
    Made next = new Made(make(signer, revoked, now), revoked);
    made.put(signer.certificate(), next);
    return next.crl();
  }

  private Instant refreshAt(SignedCrl crl) {
    return crl.thisUpdate().plus(Duration.between(crl.thisUpdate(), crl.nextUpdate()).dividedBy(2));
  }

  /** serial → revocation time of every revocation whose certificate is not expired at {@code now}. */
  private SortedMap<BigInteger, Instant> inForce(Instant now) {
    SortedMap<BigInteger, Instant> out = new TreeMap<>();
    for (Kv.Entry e : kv.list(KeyLayout.REVOKED).entries()) {
      Revocation r = Records.parse(RevocationRecord.parser(), e).getRevocation();
      if (Timestamps.isSet(r.getNotAfter()) && Timestamps.toInstant(r.getNotAfter()).isBefore(now)) {
        continue; // expired: no verifier accepts it anyway (RFC 5280 3.3 lets it leave the CRL)
      }
      // A revocation time is always written; should one be missing, the epoch still revokes.
      Instant when = Timestamps.isSet(r.getRevokeTime()) ? Timestamps.toInstant(r.getRevokeTime()) : Instant.EPOCH;
      out.put(serial(e, r), when.truncatedTo(ChronoUnit.SECONDS));
    }
    return out;
  }

  /**
   * A record that cannot be listed fails the whole CRL rather than leaving the certificate out:
   * a CRL that silently misses a revocation would be worse than none.
   */
  private static BigInteger serial(Kv.Entry e, Revocation r) {
    String hex = r.getSerial().isEmpty() ? KeyLayout.lastSegment(e.key()) : r.getSerial();
    try {
      BigInteger serial = new BigInteger(hex, 16);
      if (serial.signum() > 0) {
        return serial;
      }
    } catch (NumberFormatException ignored) {
      // named below
    }
    throw new FailedPreconditionException("the revocation at " + e.key() + " in etcd has serial '" + hex
        + "', which is not a positive hexadecimal number, so no CRL can be made: delete or fix that record");
  }

  private SignedCrl make(CaMaterial signer, SortedMap<BigInteger, Instant> revoked, Instant now) {
    long number = nextNumber();
    List<CrlSigner.Revoked> entries = new ArrayList<>();
    for (Map.Entry<BigInteger, Instant> r : revoked.entrySet()) {
      entries.add(new CrlSigner.Revoked(r.getKey(), r.getValue()));
    }
    Instant thisUpdate = now.truncatedTo(ChronoUnit.SECONDS);
    X509CRL crl = CrlSigner.sign(signer, entries, number, thisUpdate, thisUpdate.plus(validity));
    byte[] der;
    try {
      der = crl.getEncoded();
    } catch (CRLException e) {
      throw new IllegalStateException("cannot encode the CRL just signed: " + e.getMessage(), e);
    }
    SignedCrl out = new SignedCrl(der, pem(der), crl.getThisUpdate().toInstant(), crl.getNextUpdate().toInstant(),
        number, entries.size());
    log.info("made CRL number {} listing {} revoked certificate(s), valid until {}", number, entries.size(),
        out.nextUpdate());
    return out;
  }

  /** Takes the next CRL number from etcd; another controller taking one at the same time makes us retry. */
  private long nextNumber() {
    for (int attempt = 0; attempt < NUMBER_ATTEMPTS; attempt++) {
      Optional<Kv.Entry> state = kv.get(KeyLayout.CA_CRL);
      long next = state.map(e -> Records.parse(CrlState.parser(), e).getCrlNumber()).orElse(0L) + 1;
      Txn txn = state.isPresent() ? Txn.create().ifModRevision(KeyLayout.CA_CRL, state.get().modRevision())
          : Txn.create().ifAbsent(KeyLayout.CA_CRL);
      if (kv.commit(txn.put(KeyLayout.CA_CRL, CrlState.newBuilder().setCrlNumber(next).build().toByteArray()))) {
        return next;
      }
    }
    throw new ConflictException("could not take a CRL number in etcd after " + NUMBER_ATTEMPTS
        + " attempts (other controllers kept taking them): try again");
  }

  /** PEM as openssl writes it: "X509 CRL", base64 in 64-character lines. */
  static String pem(byte[] der) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN X509 CRL-----\n" + body + "\n-----END X509 CRL-----\n";
  }
}
