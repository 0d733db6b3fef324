package io.adit.controller.crl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adit.api.v1.Revocation;
import io.adit.common.proto.Timestamps;
import io.adit.common.store.KeyLayout;
import io.adit.controller.ca.Authorities;
import io.adit.controller.ca.CaMaterial;
import io.adit.controller.errors.FailedPreconditionException;
import io.adit.controller.store.Txn;
import io.adit.controller.store.etcd.EtcdKv;
import io.adit.store.v1.CrlState;
import io.adit.store.v1.RevocationRecord;
import io.adit.testing.EtcdExtension;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The CRL as etcd's revocations make it: what it lists, and when it gets a new number. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CrlMakerIT {
  @RegisterExtension
  static final EtcdExtension etcd = new EtcdExtension();

  static final Duration VALIDITY = Duration.ofHours(1);
  static EtcdKv kv;
  static CaMaterial ca;

  final StepClock clock = new StepClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));

  @BeforeAll
  static void connect() {
    kv = EtcdKv.connect(etcd.endpoints(), Duration.ofSeconds(5), null);
    ca = Authorities.createRoot("adit.local", Clock.systemUTC());
  }

  @AfterAll
  static void close() {
    if (kv != null) {
      kv.close();
    }
  }

  @BeforeEach
  void emptyStore() {
    kv.commit(Txn.create().deletePrefix(KeyLayout.REVOKED).delete(KeyLayout.CA_CRL));
  }

  /** A clock the test moves by hand. */
  static final class StepClock extends Clock {
    private final AtomicReference<Instant> now;
    private final ZoneId zone;

    StepClock(Instant start) {
      this(new AtomicReference<>(start), ZoneOffset.UTC);
    }

    private StepClock(AtomicReference<Instant> now, ZoneId zone) {
      this.now = now;
      this.zone = zone;
    }

    void advance(Duration d) {
      now.updateAndGet(t -> t.plus(d));
    }

    @Override
    public Instant instant() {
      return now.get();
    }

    @Override
    public ZoneId getZone() {
      return zone;
    }

    /** The same hand-moved time, seen in another zone. */
    @Override
    public Clock withZone(ZoneId other) {
      return new StepClock(now, other);
    }
  }

  CrlMaker maker() {
    return new CrlMaker(kv, () -> ca, clock, VALIDITY);
  }

  /** Writes a revocation as the controller's revoke calls do; {@code notAfter} null: unknown expiry. */
  void revoke(String serial, Instant revokedAt, Instant notAfter) {
    Revocation.Builder r = Revocation.newBuilder().setSerial(serial).setRevokeTime(Timestamps.of(revokedAt))
        .setRevokedBy("spiffe://adit.local/admin/admin").setReason("test");
    if (notAfter != null) {
      r.setNotAfter(Timestamps.of(notAfter));
    }
    String key = KeyLayout.revoked(serial);
    assertThat(kv.commit(Txn.create().ifAbsent(key)
        .put(key, RevocationRecord.newBuilder().setRevocation(r).build().toByteArray()))).isTrue();
  }

  static X509CRL parse(SignedCrl crl) throws Exception {
    return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(crl.der()));
  }

  static List<BigInteger> serials(SignedCrl crl) throws Exception {
    Set<? extends X509CRLEntry> entries = parse(crl).getRevokedCertificates();
    return entries == null ? List.of() : entries.stream().map(X509CRLEntry::getSerialNumber).sorted().toList();
  }

  static long storedNumber() {
    return kv.get(KeyLayout.CA_CRL).map(e -> {
      try {
        return CrlState.parseFrom(e.value()).getCrlNumber();
      } catch (Exception ex) {
        throw new AssertionError(ex);
      }
    }).orElse(0L);
  }

  @Test
  void listsEveryRevocationInForceSignedByTheCaAndLeavesExpiredOnesOut() throws Exception {
    Instant now = clock.instant();
    revoke("0abc", now.minusSeconds(60), now.plus(Duration.ofHours(2)));
    revoke("ff01", now.minusSeconds(30), null); // a hand-made certificate: expiry unknown, kept
    revoke("dead", now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1))); // already expired

    SignedCrl signed = maker().current();
    X509CRL crl = parse(signed);

    crl.verify(ca.certificate().getPublicKey());
    assertThat(crl.getIssuerX500Principal()).isEqualTo(ca.certificate().getSubjectX500Principal());
    assertThat(serials(signed)).containsExactly(BigInteger.valueOf(0xabc), BigInteger.valueOf(0xff01));
    assertThat(crl.getRevokedCertificate(BigInteger.valueOf(0xabc)).getRevocationDate().toInstant())
        .isEqualTo(now.minusSeconds(60));
    assertThat(signed.revokedCount()).isEqualTo(2);
    assertThat(signed.number()).isEqualTo(1);
    assertThat(signed.thisUpdate()).isEqualTo(now);
    assertThat(signed.nextUpdate()).isEqualTo(now.plus(VALIDITY));
    assertThat(crl.getNextUpdate().toInstant()).isEqualTo(signed.nextUpdate());
    assertThat(signed.pem()).startsWith("-----BEGIN X509 CRL-----\n").endsWith("-----END X509 CRL-----\n");
    assertThat(storedNumber()).isEqualTo(1);
  }

  @Test
  void keepsTheSameCrlAndNumberUntilTheRevokedSetChanges() throws Exception {
    CrlMaker maker = maker();
    SignedCrl first = maker.current();
    clock.advance(Duration.ofMinutes(5));
    assertThat(maker.current()).isSameAs(first);
    assertThat(storedNumber()).isEqualTo(1);

    revoke("01", clock.instant(), null);
    SignedCrl second = maker.current();
    assertThat(second.number()).isEqualTo(2);
    assertThat(serials(second)).containsExactly(BigInteger.ONE);
    assertThat(maker.current()).isSameAs(second);

    // A pruned revocation changes the set too.
    kv.commit(Txn.create().delete(KeyLayout.revoked("01")));
    SignedCrl third = maker.current();
    assertThat(third.number()).isEqualTo(3);
    assertThat(third.revokedCount()).isZero();
    assertThat(storedNumber()).isEqualTo(3);
  }

  @Test
  void makesANewCrlWithTheNextNumberOnceHalfItsValidityHasPassed() throws Exception {
    CrlMaker maker = maker();
    SignedCrl first = maker.current();
    clock.advance(VALIDITY.dividedBy(2).minusSeconds(1));
    assertThat(maker.current()).isSameAs(first);
    clock.advance(Duration.ofSeconds(1));
    SignedCrl renewed = maker.current();
    // RFC 5280 5.2.3: two CRLs made at different times never share a number.
    assertThat(renewed.number()).isEqualTo(first.number() + 1);
    assertThat(renewed.thisUpdate()).isEqualTo(clock.instant());
    assertThat(renewed.nextUpdate()).isAfter(first.nextUpdate());
  }

  @Test
  void dropsARevocationOnceItsCertificateHasExpired() throws Exception {
    Instant now = clock.instant();
    revoke("0a", now, now.plus(Duration.ofMinutes(10)));
    CrlMaker maker = maker();
    assertThat(serials(maker.current())).containsExactly(BigInteger.TEN);
    clock.advance(Duration.ofMinutes(11));
    SignedCrl after = maker.current();
    assertThat(serials(after)).isEmpty();
    assertThat(after.number()).isEqualTo(2);
  }

  @Test
  void aNewActiveCaSignsTheNextCrl() throws Exception {
    AtomicReference<CaMaterial> active = new AtomicReference<>(ca);
    CrlMaker maker = new CrlMaker(kv, active::get, clock, VALIDITY);
    SignedCrl first = maker.current();
    CaMaterial next = Authorities.createRoot("adit.local", Clock.systemUTC());
    active.set(next);
    SignedCrl second = maker.current();
    parse(second).verify(next.certificate().getPublicKey());
    assertThat(second.number()).isEqualTo(first.number() + 1);
  }

  @Test
  void twoControllersOnOneEtcdNeverGiveTwoCrlsTheSameNumber() throws Exception {
    CrlMaker a = maker();
    CrlMaker b = maker();
    assertThat(a.current().number()).isEqualTo(1);
    assertThat(b.current().number()).isEqualTo(2);
    revoke("0b", clock.instant(), null);
    assertThat(b.current().number()).isEqualTo(3);
    assertThat(a.current().number()).isEqualTo(4);
    assertThat(a.current().number()).isEqualTo(4);
  }

  @Test
  void concurrentCallersAfterAChangeShareOneNewCrl() throws Exception {
    CrlMaker a = maker();
    CrlMaker b = maker();
    a.current();
    b.current();
    revoke("0c", clock.instant(), null);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<SignedCrl>> results = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        CrlMaker m = i % 2 == 0 ? a : b;
        results.add(pool.submit(m::current));
      }
      Set<Long> numbers = ConcurrentHashMap.newKeySet();
      for (Future<SignedCrl> f : results) {
        SignedCrl crl = f.get(30, TimeUnit.SECONDS);
        assertThat(crl.revokedCount()).isEqualTo(1);
        numbers.add(crl.number());
      }
      // One new CRL per controller, each with its own number: the compare-and-swap held.
      assertThat(numbers).containsExactlyInAnyOrder(3L, 4L);
      assertThat(storedNumber()).isEqualTo(4);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void theHttpPathReadsEtcdAtMostOnceASecond() throws Exception {
    CrlMaker maker = maker();
    SignedCrl first = maker.recent();
    revoke("0d", clock.instant(), null);
    assertThat(maker.recent()).isSameAs(first);
    clock.advance(CrlMaker.RECENT);
    assertThat(maker.recent().revokedCount()).isEqualTo(1);
  }

  @Test
  void aRevocationWhoseSerialIsNotHexFailsTheCrlNamingTheRecord() {
    String key = KeyLayout.revoked("zz");
    kv.commit(Txn.create().put(key, RevocationRecord.newBuilder()
        .setRevocation(Revocation.newBuilder().setSerial("zz").setRevokeTime(Timestamps.of(clock.instant()))).build()
        .toByteArray()));
    assertThatThrownBy(() -> maker().current()).isInstanceOf(FailedPreconditionException.class)
        .hasMessageContaining(key).hasMessageContaining("'zz'");
  }
}
