package io.adit.common.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @ParameterizedTest(name = "''{0}'' is {1}")
  @CsvSource({
      "30s, PT30S",
      "10m, PT10M",
      "24h, PT24H",
      "7d, PT168H",
      "1h30m, PT1H30M",
      "500ms, PT0.5S",
      "1m30s, PT1M30S",
      "2d12h, PT60H",
      "1s500ms, PT1.5S",
      "0s, PT0S",
      "' 10m ', PT10M"})
  void parsesNumbersWithUnits(String text, Duration expected) {
    assertThat(Durations.parse("--ttl", text)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(strings = {"10", "10x", "-5s", "h", "s10", "1h 30m", "1.5h", "10s5", "ten seconds", "1w"})
  void refusesTextThatIsNotADurationNamingTheFlagAndTheValue(String text) {
    assertThatThrownBy(() -> Durations.parse("--cert-ttl", text))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("--cert-ttl '" + text + "' is not a duration")
        .hasMessageContaining("30s");
  }

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(strings = {"", "  "})
  void refusesAnEmptyValueNamingTheFlag(String text) {
    assertThatThrownBy(() -> Durations.parse("--timeout", text))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("--timeout is missing");
  }

  @Test
  void refusesNullNamingTheFlag() {
    assertThatThrownBy(() -> Durations.parse("--timeout", null))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("--timeout is missing");
  }

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(strings = {"99999999999999999999s", "999999999999999d"})
  void refusesNumbersTooLargeForADurationNamingTheFlag(String text) {
    assertThatThrownBy(() -> Durations.parse("--ttl", text))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--ttl");
  }

  @ParameterizedTest(name = "{0} is ''{1}''")
  @CsvSource({
      "PT1M30S, 1m30s",
      "PT26H, 1d2h",
      "PT1H, 1h",
      "PT168H, 7d",
      "PT1H1M1S, 1h1m1s",
      "PT10M, 10m",
      "PT0.5S, 500ms",
      "PT0S, 0ms"})
  void formatsInTheUnitsTheFlagsAccept(Duration d, String expected) {
    assertThat(Durations.format(d)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"PT30S", "PT10M", "PT24H", "PT168H", "PT1H30M", "PT26H", "PT0.25S", "PT49H59M59S"})
  void formatsWhatParseReadsBack(String iso) {
    Duration d = Duration.parse(iso);

    assertThat(Durations.parse("--ttl", Durations.format(d))).isEqualTo(d);
  }

  @Test
  void formatsSubSecondRemaindersExactly() {
    // "the shortest exact spelling": 1.5 s must not print as "1s".
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1s500ms");
  }
}
