package io.adit.controller.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adit.common.validation.InvalidInputException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TtlPolicyTest {
  private final TtlPolicy policy = new TtlPolicy(Duration.ofHours(24), Duration.ofDays(7));

  @Test
  void givesTheDefaultWhenNothingIsAsked() {
    assertThat(policy.resolve(null)).isEqualTo(Duration.ofHours(24));
    assertThat(policy.resolve(Duration.ZERO)).isEqualTo(Duration.ofHours(24));
  }

  @Test
  void givesWhatIsAskedWithinTheCap() {
    assertThat(policy.resolve(Duration.ofHours(1))).isEqualTo(Duration.ofHours(1));
    assertThat(policy.resolve(Duration.ofDays(7))).isEqualTo(Duration.ofDays(7));
  }

  @Test
  void allowsCertificatesOfAFewSeconds() {
    assertThat(policy.resolve(Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(5));
    assertThat(new TtlPolicy(Duration.ofSeconds(5), Duration.ofSeconds(10)).resolve(null)).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void capsLongerRequestsAtTheMaximum() {
    assertThat(policy.resolve(Duration.ofDays(30))).isEqualTo(Duration.ofDays(7));
  }

  @Test
  void refusesNegativeLifetimes() {
    assertThatThrownBy(() -> policy.resolve(Duration.ofSeconds(-5)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("negative");
  }

  @Test
  void refusesLifetimesShorterThanOneSecond() {
    assertThatThrownBy(() -> policy.resolve(Duration.ofMillis(500)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("1s");
  }

  @Test
  void refusesADefaultLongerThanTheMaximumNamingBothFlags() {
    assertThatThrownBy(() -> new TtlPolicy(Duration.ofDays(2), Duration.ofDays(1)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--default-ttl 2d")
        .hasMessageContaining("--max-ttl 1d");
  }

  @Test
  void refusesZeroOrNegativeSettingsNamingTheFlag() {
    assertThatThrownBy(() -> new TtlPolicy(Duration.ZERO, Duration.ofDays(1)))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("--default-ttl");
    assertThatThrownBy(() -> new TtlPolicy(Duration.ofHours(1), Duration.ofHours(-1)))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("--max-ttl");
  }
}
