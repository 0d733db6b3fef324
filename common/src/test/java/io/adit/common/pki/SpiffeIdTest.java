package io.adit.common.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adit.common.pki.SpiffeId.Kind;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class SpiffeIdTest {
  private static KeyPair keys;

  @BeforeAll
  static void makeKeys() {
    keys = Keys.generateP256();
  }

  @ParameterizedTest(name = "{0} ids print as {1}")
  @CsvSource({
      "ADMIN, spiffe://adit.local/admin/alice",
      "NODE, spiffe://adit.local/node/worker-1",
      "SERVICE, spiffe://adit.local/service/web",
      "CLIENT, spiffe://adit.local/client/billing"})
  void printsAndParsesEveryKind(Kind kind, String uri) {
    String name = uri.substring(uri.lastIndexOf('/') + 1);
    SpiffeId id = new SpiffeId("adit.local", kind, name);

    assertThat(id.toUri()).hasToString(uri);
    assertThat(id).hasToString(uri);
    assertThat(SpiffeId.parse(uri)).contains(id);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Kind.class)
  void roundTripsThroughItsUri(Kind kind) {
    SpiffeId id = kind == Kind.CONTROLLER ? SpiffeId.controller("prod.example") : new SpiffeId("prod.example", kind, "n-1");

    assertThat(SpiffeId.parse(id.toUri().toString())).contains(id);
  }

  @Test
  void theControllerIdHasNoName() {
    SpiffeId id = SpiffeId.parse("spiffe://adit.local/controller").orElseThrow();

    assertThat(id.trustDomain()).isEqualTo("adit.local");
    assertThat(id.kind()).isEqualTo(Kind.CONTROLLER);
    assertThat(id.name()).isEmpty();
    assertThat(id).isEqualTo(SpiffeId.controller("adit.local"));
    assertThat(SpiffeId.controller("adit.local").toUri()).hasToString("spiffe://adit.local/controller");
  }

  @ParameterizedTest(name = "''{0}''")
  @NullAndEmptySource
  @ValueSource(strings = {
      "garbage",
      "adit.local/admin/alice",
      "https://adit.local/admin/alice",
      "SPIFFE://adit.local/admin/alice",
      "spiffe:/adit.local/admin/alice",
      "spiffe://adit.local/robot/alice",
      "spiffe://adit.local/Admin/alice",
      "spiffe://adit.local/admin/alice/extra",
      "spiffe://adit.local/admin/alice/",
      "spiffe://adit.local/admin/",
      "spiffe://adit.local/admin",
      "spiffe://adit.local/controller/",
      "spiffe://adit.local//alice",
      "spiffe:///admin/alice",
      "spiffe:///controller",
      "spiffe://adit.local",
      "spiffe://adit.local/",
      "spiffe://"})
  void parsesAnythingElseAsEmpty(String text) {
    assertThat(SpiffeId.parse(text)).isEmpty();
  }

  @Test
  void needsATrustDomainAKindAndANameExceptForTheController() {
    assertThatThrownBy(() -> new SpiffeId("adit.local", Kind.ADMIN, "")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SpiffeId("adit.local", Kind.NODE, null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SpiffeId("", Kind.ADMIN, "alice")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SpiffeId(null, Kind.ADMIN, "alice")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SpiffeId("adit.local", null, "alice")).isInstanceOf(IllegalArgumentException.class);
    assertThat(new SpiffeId("adit.local", Kind.CONTROLLER, null).name()).isEmpty();
  }

  @Test
  void readsTheIdFromTheCertificatesUriSan() {
    X509Certificate cert = SelfSigned.with(keys).dns("web.example.com").uri("spiffe://adit.local/service/web").build();

    assertThat(SpiffeId.of(cert)).contains(new SpiffeId("adit.local", Kind.SERVICE, "web"));
  }

  @Test
  void skipsUriSansThatAreNotAditIds() {
    X509Certificate cert = SelfSigned.with(keys)
        .uri("https://example.com/alice")
        .uri("spiffe://adit.local/robot/r2")
        .uri("spiffe://adit.local/admin/alice")
        .uri("spiffe://adit.local/admin/bob")
        .build();

    assertThat(SpiffeId.of(cert)).contains(new SpiffeId("adit.local", Kind.ADMIN, "alice"));
  }

  @Test
  void findsNoIdInACertificateWithoutOne() {
    X509Certificate noSans = SelfSigned.with(keys).subject("CN=spiffe://adit.local/admin/alice").build();
    X509Certificate dnsOnly = SelfSigned.with(keys).dns("alice.example.com").build();
    X509Certificate otherUri = SelfSigned.with(keys).uri("https://adit.local/admin/alice").build();

    assertThat(SpiffeId.of(noSans)).isEmpty();
    assertThat(SpiffeId.of(dnsOnly)).isEmpty();
    assertThat(SpiffeId.of(otherUri)).isEmpty();
  }
}
