package io.adit.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adit.common.validation.HostPort;
import io.adit.common.validation.InvalidInputException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The CRL flags: --crl-url, --crl-validity, --http-listen. */
class ControllerConfigCrlTest {
  static final ControllerConfig BASE = ControllerConfig.of(List.of("http://127.0.0.1:2379"),
      new HostPort("127.0.0.1", 0), Path.of("data"));

  @ParameterizedTest
  @ValueSource(strings = {"http://ctl1.example.org/crl", "https://ctl1.example.org:8443/adit/crl", "HTTP://10.0.0.1:8080/crl"})
  void acceptsAnHttpOrHttpsCrlUrl(String url) {
    assertThat(BASE.withCrlUrl(url).crlUrl()).map(Object::toString).contains(url);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftp://ctl1.example.org/crl", "ldap://ctl1/cn=crl", "/crl", "ctl1.example.org/crl",
      "http:///crl", "http://ctl1.example.org/crl#x", "http://ctl 1/crl", ""})
  void refusesAnythingElseAsCrlUrlNamingTheFlag(String url) {
    assertThatThrownBy(() -> BASE.withCrlUrl(url)).isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("--crl-url '").hasMessageContaining("http://HOST[:PORT]/crl");
  }

  @Test
  void refusesACrlValidityOutsideOneMinuteToThirtyDays() {
    assertThat(BASE.crlValidity()).isEqualTo(Duration.ofHours(1));
    for (Duration bad : List.of(Duration.ofSeconds(59), Duration.ofDays(31))) {
      assertThatThrownBy(() -> new ControllerConfig(BASE.etcdEndpoints(), BASE.listen(), BASE.dataDir(), List.of(),
          Optional.empty(), BASE.defaultTtl(), BASE.maxTtl(), Optional.empty(), Optional.empty(), BASE.etcdTimeout(),
          Optional.empty(), BASE.adminCertTtl(), Optional.empty(), Optional.empty(), bad, Optional.empty()))
          .isInstanceOf(InvalidInputException.class).hasMessageContaining("--crl-validity");
    }
  }

  @Test
  void servesNoHttpUnlessAsked() {
    assertThat(BASE.httpListen()).isEmpty();
    assertThat(BASE.withHttpListen(new HostPort("127.0.0.1", 0)).httpListen()).contains(new HostPort("127.0.0.1", 0));
  }
}
