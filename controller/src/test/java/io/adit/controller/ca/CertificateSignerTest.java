package io.adit.controller.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adit.common.pki.Keys;
import io.adit.common.pki.SpiffeId;
import io.adit.common.pki.SpiffeId.Kind;
import io.adit.common.validation.InvalidInputException;
import io.adit.controller.ca.CertificateSigner.LeafRequest;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.URI;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.CertificationRequest;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CertificateSignerTest {
  private static final Instant NOW = Instant.parse("2030-06-01T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final Duration DAY = Duration.ofHours(24);

  private static CaMaterial ca;
  private static CertificateSigner signer;
  private static KeyPair leafKeys;

  @BeforeAll
  static void createCa() {
    ca = Authorities.createRoot("adit.local", CLOCK);
    signer = new CertificateSigner(ca, CLOCK);
    leafKeys = Keys.generateP256();
  }

  private static SpiffeId id(Kind kind, String name) {
    // The controllers share one nameless identity.
    return kind == Kind.CONTROLLER ? SpiffeId.controller("adit.local") : new SpiffeId("adit.local", kind, name);
  }

  private static X509CertificateHolder issue(LeafRequest request) throws Exception {
    return new JcaX509CertificateHolder(signer.sign(Keys.csr(leafKeys, "ignored"), request));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void issuesTheWholeProfileForEveryKind(Kind kind) throws Exception {
    X509Certificate jdk = signer.sign(Keys.csr(leafKeys, "ignored"), LeafRequest.of(id(kind, "web"), DAY));
    X509CertificateHolder cert = new JcaX509CertificateHolder(jdk);

    assertThat(cert.getVersionNumber()).isEqualTo(3);
    assertThat(cert.getSerialNumber()).isPositive();
    assertThat(cert.getSerialNumber().bitLength()).isLessThanOrEqualTo(128);
    assertThat(cert.getSubject()).isEqualTo(new X500Name(kind == Kind.CONTROLLER ? "CN=adit-controller" : "CN=web"));
    assertThat(cert.getIssuer()).isEqualTo(new JcaX509CertificateHolder(ca.certificate()).getSubject());
    assertThat(cert.getSignatureAlgorithm().getAlgorithm()).isEqualTo(X9ObjectIdentifiers.ecdsa_with_SHA256);
    assertThat(cert.getSubjectPublicKeyInfo().getEncoded()).isEqualTo(leafKeys.getPublic().getEncoded());
    jdk.verify(ca.certificate().getPublicKey());

    assertThat(cert.getNotBefore().toInstant()).isEqualTo(NOW.minus(Duration.ofMinutes(1)));
    assertThat(cert.getNotAfter().toInstant()).isEqualTo(NOW.plus(DAY));

    assertThat(cert.getExtensions().getExtensionOIDs()).containsExactlyInAnyOrder(
        Extension.basicConstraints, Extension.keyUsage, Extension.extendedKeyUsage,
        Extension.subjectKeyIdentifier, Extension.authorityKeyIdentifier, Extension.subjectAlternativeName);

    Extension bc = cert.getExtension(Extension.basicConstraints);
    assertThat(bc.isCritical()).isTrue();
    assertThat(BasicConstraints.getInstance(bc.getParsedValue()).isCA()).isFalse();

    Extension ku = cert.getExtension(Extension.keyUsage);
    assertThat(ku.isCritical()).isTrue();
    assertThat(KeyUsage.getInstance(ku.getParsedValue())).isEqualTo(new KeyUsage(KeyUsage.digitalSignature));

    Extension eku = cert.getExtension(Extension.extendedKeyUsage);
    assertThat(eku.isCritical()).isFalse();
    assertThat(ExtendedKeyUsage.getInstance(eku.getParsedValue()).getUsages()).containsExactly(expectedPurposes(kind));

    SubjectKeyIdentifier ski = SubjectKeyIdentifier.fromExtensions(cert.getExtensions());
    assertThat(ski.getKeyIdentifier()).isEqualTo(sha1OfKeyBits(leafKeys.getPublic().getEncoded()));

    AuthorityKeyIdentifier aki = AuthorityKeyIdentifier.fromExtensions(cert.getExtensions());
    byte[] caSki = SubjectKeyIdentifier.fromExtensions(new JcaX509CertificateHolder(ca.certificate()).getExtensions())
        .getKeyIdentifier();
    assertThat(aki.getKeyIdentifierObject().getOctets()).isEqualTo(caSki);
    assertThat(aki.getAuthorityCertIssuer()).isNull();
    assertThat(aki.getAuthorityCertSerialNumber()).isNull();

    Extension san = cert.getExtension(Extension.subjectAlternativeName);
    assertThat(san.isCritical()).isFalse();
    assertThat(GeneralNames.getInstance(san.getParsedValue()).getNames()).containsExactly(
        new GeneralName(GeneralName.uniformResourceIdentifier, id(kind, "web").toString()));
    assertThat(SpiffeId.of(jdk)).contains(id(kind, "web"));
  }

  @Test
  void carriesTheCrlUrlAsItsDistributionPointWhenOneIsConfigured() throws Exception {
    CertificateSigner withCrl = new CertificateSigner(ca, CLOCK, Optional.of(URI.create("http://ctl1.example.org:8080/crl")));
    X509CertificateHolder cert = new JcaX509CertificateHolder(
        withCrl.sign(Keys.csr(leafKeys, "ignored"), LeafRequest.of(id(Kind.CLIENT, "web"), DAY)));

    Extension cdp = cert.getExtension(Extension.cRLDistributionPoints);
    assertThat(cdp.isCritical()).isFalse();
    DistributionPoint[] points = CRLDistPoint.getInstance(cdp.getParsedValue()).getDistributionPoints();
    assertThat(points).hasSize(1);
    assertThat(points[0].getReasons()).isNull();
    assertThat(points[0].getCRLIssuer()).isNull();
    assertThat(points[0].getDistributionPoint().getType()).isEqualTo(DistributionPointName.FULL_NAME);
    assertThat(GeneralNames.getInstance(points[0].getDistributionPoint().getName()).getNames()).containsExactly(
        new GeneralName(GeneralName.uniformResourceIdentifier, "http://ctl1.example.org:8080/crl"));
    // Without the flag, none: the whole profile above has no such extension.
    assertThat(issue(LeafRequest.of(id(Kind.CLIENT, "web"), DAY)).getExtension(Extension.cRLDistributionPoints)).isNull();
  }

  private static KeyPurposeId[] expectedPurposes(Kind kind) {
    return switch (kind) {
      case SERVICE -> new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth};
      case CLIENT, ADMIN -> new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth};
      case NODE, CONTROLLER -> new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth};
    };
  }

  private static byte[] sha1OfKeyBits(byte[] spki) throws Exception {
    byte[] bits = SubjectPublicKeyInfo.getInstance(spki).getPublicKeyData().getBytes();
    return MessageDigest.getInstance("SHA-1").digest(bits);
  }

  @Test
  void putsDnsNamesAndIpAddressesInTheSubjectAltName() throws Exception {
    X509CertificateHolder cert = issue(new LeafRequest(id(Kind.SERVICE, "web"),
        List.of("web", "web.example.com"), List.of("10.0.0.7", "::1"), DAY));

    GeneralName[] names = GeneralNames.fromExtensions(cert.getExtensions(), Extension.subjectAlternativeName).getNames();
    assertThat(names).hasSize(5);
    assertThat(names[0]).isEqualTo(new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://adit.local/service/web"));
    assertThat(names[1]).isEqualTo(new GeneralName(GeneralName.dNSName, "web"));
    assertThat(names[2]).isEqualTo(new GeneralName(GeneralName.dNSName, "web.example.com"));
    assertThat(names[3].getTagNo()).isEqualTo(GeneralName.iPAddress);
    assertThat(ipBytes(names[3])).isEqualTo(InetAddress.getByName("10.0.0.7").getAddress()).hasSize(4);
    assertThat(names[4].getTagNo()).isEqualTo(GeneralName.iPAddress);
    assertThat(ipBytes(names[4])).isEqualTo(InetAddress.getByName("::1").getAddress()).hasSize(16);
  }

  private static byte[] ipBytes(GeneralName name) {
    return org.bouncycastle.asn1.ASN1OctetString.getInstance(name.getName()).getOctets();
  }

  @Test
  void ignoresTheSubjectAndExtensionsOfTheRequest() throws Exception {
    ExtensionsGenerator asked = new ExtensionsGenerator();
    asked.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    asked.addExtension(Extension.subjectAlternativeName, false,
        new GeneralNames(new GeneralName(GeneralName.dNSName, "evil.example.com")));
    PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequestBuilder(
        new X500Name("CN=evil,O=Adit"), leafKeys.getPublic())
        .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, asked.generate())
        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(leafKeys.getPrivate()));

    X509Certificate cert = signer.sign(csr, LeafRequest.of(id(Kind.CLIENT, "alice"), DAY));

    X509CertificateHolder holder = new JcaX509CertificateHolder(cert);
    RDN[] rdns = holder.getSubject().getRDNs();
    assertThat(rdns).hasSize(1);
    assertThat(rdns[0].getFirst().getType()).isEqualTo(BCStyle.CN);
    assertThat(rdns[0].getFirst().getValue().toString()).isEqualTo("alice");
    assertThat(cert.getBasicConstraints()).isEqualTo(-1);
    assertThat(cert.getSubjectAlternativeNames()).hasSize(1);
  }

  @Test
  void givesEachCertificateADifferentSerial() throws Exception {
    BigInteger first = issue(LeafRequest.of(id(Kind.NODE, "n1"), DAY)).getSerialNumber();
    BigInteger second = issue(LeafRequest.of(id(Kind.NODE, "n1"), DAY)).getSerialNumber();
    assertThat(first).isNotEqualTo(second);
  }

  @Test
  void issuesCertificatesThatLiveFiveSeconds() throws Exception {
    X509CertificateHolder cert = issue(LeafRequest.of(id(Kind.SERVICE, "web"), Duration.ofSeconds(5)));
    assertThat(cert.getNotAfter().toInstant()).isEqualTo(NOW.plusSeconds(5));
    assertThat(cert.isValidOn(java.util.Date.from(NOW.plusSeconds(4)))).isTrue();
    assertThat(cert.isValidOn(java.util.Date.from(NOW.plusSeconds(6)))).isFalse();
    // Backdated a tenth of its life, not a minute: else it would look 65 s long to a renewer.
    assertThat(Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant()))
        .isLessThanOrEqualTo(Duration.ofSeconds(6));
  }

  @Test
  void neverOutlivesTheCa() throws Exception {
    Instant caExpiry = ca.certificate().getNotAfter().toInstant();
    Instant late = caExpiry.minus(Duration.ofHours(1));
    CertificateSigner lateSigner = new CertificateSigner(ca, Clock.fixed(late, ZoneOffset.UTC));

    X509Certificate cert = lateSigner.sign(Keys.csr(leafKeys, "x"), LeafRequest.of(id(Kind.SERVICE, "web"), DAY));

    assertThat(cert.getNotAfter().toInstant()).isEqualTo(caExpiry);
    assertThat(cert.getNotBefore().toInstant()).isEqualTo(late.minus(Duration.ofMinutes(1)));
  }

  @Test
  void neverStartsBeforeTheCa() throws Exception {
    Instant caStart = ca.certificate().getNotBefore().toInstant();
    Instant early = caStart.plusSeconds(30);
    CertificateSigner earlySigner = new CertificateSigner(ca, Clock.fixed(early, ZoneOffset.UTC));

    X509Certificate cert = earlySigner.sign(Keys.csr(leafKeys, "x"), LeafRequest.of(id(Kind.SERVICE, "web"), DAY));

    assertThat(cert.getNotBefore().toInstant()).isEqualTo(caStart);
  }

  @Test
  void refusesToSignWhenTheCaHasExpired() {
    Instant after = ca.certificate().getNotAfter().toInstant().plusSeconds(1);
    CertificateSigner expired = new CertificateSigner(ca, Clock.fixed(after, ZoneOffset.UTC));

    assertThatThrownBy(() -> expired.sign(Keys.csr(leafKeys, "x"), LeafRequest.of(id(Kind.SERVICE, "web"), DAY)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("renew the CA");
  }

  @Test
  void refusesARequestWhoseSignatureDoesNotVerify() {
    PKCS10CertificationRequest mine = Keys.csr(leafKeys, "web");
    PKCS10CertificationRequest other = Keys.csr(Keys.generateP256(), "web");
    // My key and name, someone else's signature: a request I never made.
    PKCS10CertificationRequest forged = new PKCS10CertificationRequest(new CertificationRequest(
        mine.toASN1Structure().getCertificationRequestInfo(), mine.getSignatureAlgorithm(),
        new DERBitString(other.getSignature())));

    assertThatThrownBy(() -> signer.sign(forged, LeafRequest.of(id(Kind.SERVICE, "web"), DAY)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the certificate request's signature does not verify");
  }

  @Test
  void refusesRsaKeysShorterThan2048Bits() throws Exception {
    KeyPair weak = rsa(1024);
    assertThatThrownBy(() -> signer.sign(Keys.csr(weak, "web"), LeafRequest.of(id(Kind.SERVICE, "web"), DAY)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("the certificate request's RSA key has 1024 bits; at least 2048 are required");
  }

  @Test
  void addsKeyEnciphermentForRsaKeys() throws Exception {
    X509Certificate cert = signer.sign(Keys.csr(rsa(2048), "web"), LeafRequest.of(id(Kind.SERVICE, "web"), DAY));

    assertThat(new JcaX509CertificateHolder(cert).getExtension(Extension.keyUsage).getParsedValue())
        .isEqualTo(new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
    assertThat(cert.getSigAlgName()).isEqualTo("SHA256withECDSA");
  }

  @Test
  void acceptsP384Keys() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp384r1"));
    KeyPair p384 = g.generateKeyPair();

    X509Certificate cert = signer.sign(Keys.csr(p384, "web"), LeafRequest.of(id(Kind.SERVICE, "web"), DAY));

    assertThat(cert.getPublicKey().getEncoded()).isEqualTo(p384.getPublic().getEncoded());
  }

  @Test
  void refusesOtherKeyTypes() throws Exception {
    KeyPair ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    assertThatThrownBy(() -> signer.sign(Keys.csr(ed, "web"), LeafRequest.of(id(Kind.SERVICE, "web"), DAY)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("key type")
        .hasMessageContaining("P-256");
  }

  @Test
  void refusesLifetimesThatAreNotPositive() {
    assertThatThrownBy(() -> LeafRequest.of(id(Kind.SERVICE, "web"), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
    assertThatThrownBy(() -> LeafRequest.of(id(Kind.SERVICE, "web"), Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
  }

  @Test
  void refusesNamesThatCannotGoInACertificate() {
    SpiffeId web = id(Kind.SERVICE, "web");
    assertThatThrownBy(() -> new LeafRequest(web, List.of("bad name"), List.of(), DAY))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("--dns-name 'bad name'");
    assertThatThrownBy(() -> new LeafRequest(web, List.of(), List.of("10.0.0.300"), DAY))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("--ip '10.0.0.300'");
    assertThatThrownBy(() -> LeafRequest.of(id(Kind.SERVICE, "x".repeat(65)), DAY))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("at most 64");
    assertThat(new LeafRequest(web, List.of("*.example.com"), List.of("fe80::1"), DAY).dnsNames())
        .containsExactly("*.example.com");
  }

  private static KeyPair rsa(int bits) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(bits);
    return g.generateKeyPair();
  }
}
