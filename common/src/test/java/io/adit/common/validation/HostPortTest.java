package io.adit.common.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HostPortTest {

  @ParameterizedTest(name = "''{0}'' is host ''{1}'' port {2}")
  @CsvSource({
      "8443, '', 8443",
      "' 8443 ', '', 8443",
      "1, '', 1",
      "65535, '', 65535",
      "localhost:8443, localhost, 8443",
      "10.0.0.7:443, 10.0.0.7, 443",
      "backend.example.com:5432, backend.example.com, 5432",
      "[::1]:8443, ::1, 8443",
      "[2001:db8::17]:443, 2001:db8::17, 443"})
  void parsesBarePortsHostsAndBracketedIpv6(String text, String host, int port) {
    HostPort hp = HostPort.parse("--accept", text, false);

    assertThat(hp.host()).isEqualTo(host);
    assertThat(hp.port()).isEqualTo(port);
    assertThat(hp.hasHost()).isEqualTo(!host.isEmpty());
  }

  @ParameterizedTest(name = "''{0}'' prints as itself")
  @ValueSource(strings = {"8443", "localhost:8443", "10.0.0.7:443", "[::1]:8443", "[2001:db8::17]:443"})
  void printsBackAsWritten(String text) {
    HostPort hp = HostPort.parse("--connect", text, false);

    assertThat(hp.toString()).isEqualTo(text);
    assertThat(HostPort.parse("--connect", hp.toString(), false)).isEqualTo(hp);
  }

  @Test
  void bracketsAnIpv6HostMadeInCode() {
    assertThat(new HostPort("fe80::1", 22)).hasToString("[fe80::1]:22");
  }

  @ParameterizedTest(name = "''{0}'' is refused: {1}")
  @CsvSource({
      "::1:8443, '[ADDR]:PORT'",
      "2001:db8::17:443, '[ADDR]:PORT'",
      "host:80:81, '[ADDR]:PORT'",
      "[::1]8443, '[ADDR]:PORT'",
      "[::1, '[ADDR]:PORT'",
      "[::1]:, no valid port",
      "0, out of range",
      "host:0, out of range",
      "65536, out of range",
      "host:65536, out of range",
      "-1, out of range",
      "http, no valid port",
      "host:http, no valid port",
      "host:, no valid port",
      "host: 80, no valid port",
      "host:99999999999, no valid port",
      ":80, empty host",
      "my host:80, spaces"})
  void refusesMalformedAddressesNamingTheFlagAndTheValue(String text, String reason) {
    assertThatThrownBy(() -> HostPort.parse("--accept", text, false))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("--accept '" + text + "'")
        .hasMessageContaining(reason);
  }

  @Test
  void refusesAnEmptyBracketedHost() {
    // "[]:80" has an empty host just like ":80", which is refused; it must not become bare port 80.
    assertThatThrownBy(() -> HostPort.parse("--accept", "[]:80", false))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--accept");
  }

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(strings = {"", "   "})
  void refusesAMissingValueNamingTheFlag(String text) {
    assertThatThrownBy(() -> HostPort.parse("--connect", text, true))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("--connect is missing: give HOST:PORT");
  }

  @Test
  void refusesNull() {
    assertThatThrownBy(() -> HostPort.parse("--connect", null, false))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--connect is missing");
  }

  @Test
  void refusesABarePortWhenAHostIsRequired() {
    assertThatThrownBy(() -> HostPort.parse("--connect", "8443", true))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("--connect '8443' has no host: give HOST:PORT");
  }

  @Test
  void acceptsAHostWhenAHostIsRequired() {
    assertThat(HostPort.parse("--connect", "[::1]:8443", true)).isEqualTo(new HostPort("::1", 8443));
  }

  @Test
  void allowsPortZeroOnlyWhenMadeInCode() {
    assertThat(new HostPort("", 0).port()).isZero();
    assertThatThrownBy(() -> new HostPort("localhost", 65536))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("65536");
    assertThatThrownBy(() -> new HostPort("localhost", -1))
        .isInstanceOf(InvalidInputException.class);
  }
}
