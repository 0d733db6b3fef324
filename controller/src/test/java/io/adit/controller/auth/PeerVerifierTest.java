package io.adit.controller.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.common.pki.Keys;
import io.adit.common.pki.SpiffeId;
import io.adit.common.pki.SpiffeId.Kind;
import io.adit.controller.ca.Authorities;
import io.adit.controller.ca.CaMaterial;
import io.adit.controller.ca.CertificateSigner;
import io.adit.controller.ca.CertificateSigner.LeafRequest;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PeerVerifierTest {
  private static final String TD = "adit.local";
  private static final Instant NOW = Instant.parse("2031-03-01T10:00:00Z");
  private static final Duration HOUR = Duration.ofHours(1);

  /** Our CA, another CA of the same trust domain (same subject, other key), and a second CA of ours. */
  private static CaMaterial ca;
  private static CaMaterial impostor;
  private static CaMaterial secondCa;
  private static KeyPair leafKeys;

  @BeforeAll
  static void createAuthorities() {
    ca = Authorities.createRoot(TD, at(NOW));
    impostor = Authorities.createRoot(TD, at(NOW));
    secondCa = Authorities.createRoot(TD, at(NOW.plus(Duration.ofDays(30))));
    leafKeys = Keys.generateP256();
  }

  private static Clock at(Instant instant) {
    return Clock.fixed(instant, ZoneOffset.UTC);
  }

  private static X509Certificate issue(CaMaterial by, Instant signedAt, SpiffeId id, Duration ttl) {
    return new CertificateSigner(by, at(signedAt)).sign(Keys.csr(leafKeys, "x"), LeafRequest.of(id, ttl));
  }

  private static X509Certificate admin(CaMaterial by) {
    return issue(by, NOW, new SpiffeId(TD, Kind.ADMIN, "alice"), HOUR);
  }

  private static PeerVerifier verifier(Instant now, CaMaterial... bundle) {
    List<X509Certificate> certs = java.util.Arrays.stream(bundle).map(CaMaterial::certificate).toList();
    return new PeerVerifier(() -> certs, () -> TD, at(now));
  }

  private static PeerVerifier.Result verify(PeerVerifier verifier, X509Certificate leaf, X509Certificate... rest) {
    X509Certificate[] chain = new X509Certificate[rest.length + 1];
    chain[0] = leaf;
    System.arraycopy(rest, 0, chain, 1, rest.length);
    return verifier.verify(chain);
  }

  @Test
  void acceptsAnAdminCertificateOfThisClusterWithItsIdentity() {
    X509Certificate leaf = admin(ca);

    PeerVerifier.Result result = verify(verifier(NOW, ca), leaf);

    assertThat(result.ok()).as(result.reason()).isTrue();
    assertThat(result.id()).isEqualTo(new SpiffeId(TD, Kind.ADMIN, "alice"));
    assertThat(result.reason()).isNull();
    assertThat(result.subject()).isEqualTo("CN=alice");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Kind.class)
  void acceptsEveryKindOfIdentityTheCaIssues(Kind kind) {
    SpiffeId id = kind == Kind.CONTROLLER ? SpiffeId.controller(TD) : new SpiffeId(TD, kind, "n1");

    PeerVerifier.Result result = verify(verifier(NOW, ca), issue(ca, NOW, id, HOUR));

    assertThat(result.id()).as(result.reason()).isEqualTo(id);
  }

  @Test
  void acceptsACertificateUntilItsLastSecond() {
    X509Certificate leaf = admin(ca);
    Instant notAfter = leaf.getNotAfter().toInstant();

    assertThat(verify(verifier(notAfter, ca), leaf).ok()).isTrue();
    assertThat(verify(verifier(notAfter.plusSeconds(1), ca), leaf).ok()).isFalse();
  }

  @Test
  void refusesAnExpiredCertificateSayingWhenItExpired() {
    // Signed four minutes before NOW, when the CA (valid from NOW - 5 min) was already valid.
    X509Certificate leaf = issue(ca, NOW.minus(Duration.ofMinutes(4)), new SpiffeId(TD, Kind.ADMIN, "alice"),
        Duration.ofMinutes(1));
    Instant expiredAt = leaf.getNotAfter().toInstant();
    assertThat(expiredAt).isBefore(NOW);

    PeerVerifier.Result result = verify(verifier(NOW, ca), leaf);

    assertThat(result.ok()).isFalse();
    assertThat(result.id()).isNull();
    assertThat(result.reason()).contains("expired at " + expiredAt).contains("CN=alice");
  }

  @Test
  void refusesACertificateThatIsNotValidYetPointingAtTheClock() {
    X509Certificate leaf = admin(ca);
    Instant checkedAt = NOW.minus(Duration.ofMinutes(2));
    assertThat(leaf.getNotBefore().toInstant()).isAfter(checkedAt);

    PeerVerifier.Result result = verify(verifier(checkedAt, ca), leaf);

    assertThat(result.ok()).isFalse();
    assertThat(result.reason()).contains("not valid before " + leaf.getNotBefore().toInstant()).contains("clock");
  }

  @Test
  void refusesACertificateFromAnotherCaWithTheSameName() {
    X509Certificate leaf = admin(impostor);
    assertThat(leaf.getIssuerX500Principal()).isEqualTo(ca.certificate().getSubjectX500Principal());

    PeerVerifier.Result result = verify(verifier(NOW, ca), leaf);

    assertThat(result.ok()).isFalse();
    assertThat(result.reason()).contains("not issued by this cluster's CA");
  }

  @Test
  void refusesACertificateFromAnotherClustersCa() {
    CaMaterial otherCluster = Authorities.createRoot("other.example", at(NOW));
    X509Certificate leaf = issue(otherCluster, NOW, new SpiffeId("other.example", Kind.ADMIN, "alice"), HOUR);

    PeerVerifier.Result result = verify(verifier(NOW, ca), leaf);

    assertThat(result.ok()).isFalse();
    assertThat(result.reason()).contains("not issued by this cluster's CA");
  }

  @Test
  void ignoresTheIssuerTheCallerSendsAlong() {
    X509Certificate leaf = admin(impostor);

    PeerVerifier.Result result = verify(verifier(NOW, ca), leaf, impostor.certificate());

    assertThat(result.ok()).isFalse();
    assertThat(result.reason()).contains("not issued by this cluster's CA");
  }

  @Test
  void refusesAnIdentityOfAnotherTrustDomain() {
    X509Certificate leaf = issue(ca, NOW, new SpiffeId("other.example", Kind.ADMIN, "alice"), HOUR);

    PeerVerifier.Result result = verify(verifier(NOW, ca), leaf);

    assertThat(result.ok()).isFalse();
    assertThat(result.reason()).contains("trust domain other.example").contains(TD);
  }

  @Test
  void refusesTheCaCertificateItselfPresentedAsAClientCertificate() {
    PeerVerifier.Result result = verify(verifier(NOW, ca), ca.certificate());

    assertThat(result.ok()).isFalse();
    assertThat(result.id()).isNull();
    assertThat(result.reason()).contains("is a CA certificate");
  }

  @Test
  void refusesACertificateWithoutAnAditIdentity() throws Exception {
    X509Certificate leaf = signWithoutSpiffeId(ca);

    PeerVerifier.Result result = verify(verifier(NOW, ca), leaf);

    assertThat(result.ok()).isFalse();
    assertThat(result.reason()).contains("carries no Adit identity");
  }

  @Test
  void acceptsCertificatesFromEitherCaOfABundle() {
    Instant later = NOW.plus(Duration.ofDays(30));
    X509Certificate fromFirst = issue(ca, later, new SpiffeId(TD, Kind.NODE, "n1"), HOUR);
    X509Certificate fromSecond = issue(secondCa, later, new SpiffeId(TD, Kind.NODE, "n2"), HOUR);
    PeerVerifier both = verifier(later, ca, secondCa);

    assertThat(verify(both, fromFirst).id()).isEqualTo(new SpiffeId(TD, Kind.NODE, "n1"));
    assertThat(verify(both, fromSecond).id()).isEqualTo(new SpiffeId(TD, Kind.NODE, "n2"));
    assertThat(verify(verifier(later, secondCa), fromFirst).ok()).isFalse();
    assertThat(verify(verifier(later, ca), fromSecond).ok()).isFalse();
  }

  @Test
  void findsTheRightCaAmongSeveralWithTheSameName() {
    X509Certificate leaf = admin(ca);

    assertThat(verify(verifier(NOW, impostor, ca), leaf).ok()).isTrue();
  }

  @Test
  void readsTheBundleAtEachCallSoARotationTakesEffect() {
    AtomicReference<List<X509Certificate>> bundle = new AtomicReference<>(List.of(ca.certificate()));
    PeerVerifier verifier = new PeerVerifier(bundle::get, () -> TD, at(NOW));
    X509Certificate leaf = admin(ca);
    assertThat(verify(verifier, leaf).ok()).isTrue();

    bundle.set(List.of(impostor.certificate()));

    assertThat(verify(verifier, leaf).ok()).isFalse();
  }

  /** A leaf signed by the CA's key but with only a DNS name, as some other tool would make it. */
  private static X509Certificate signWithoutSpiffeId(CaMaterial by) throws Exception {
    X500Name issuer = new X509CertificateHolder(by.certificate().getEncoded()).getSubject();
    X509v3CertificateBuilder b = new X509v3CertificateBuilder(issuer, BigInteger.valueOf(42),
        Date.from(NOW.minus(HOUR)), Date.from(NOW.plus(HOUR)), new X500Name("CN=legacy"),
        org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(leafKeys.getPublic().getEncoded()));
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    b.addExtension(Extension.subjectAlternativeName, false,
        new GeneralNames(new GeneralName(GeneralName.dNSName, "legacy.example.com")));
    var signer = new JcaContentSignerBuilder(Keys.signatureAlgorithm(by.certificate().getPublicKey()))
        .build(by.privateKey());
    return new JcaX509CertificateConverter().getCertificate(b.build(signer));
  }
}
