package io.adit.common.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {
  private static final String LONGEST = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaz";

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(strings = {"a", "0", "web", "web-1", "a-b-c", "123", "x--y", LONGEST})
  void acceptsDnsLabels(String name) {
    assertThat(Names.isDnsLabel(name)).isTrue();
    assertThat(Names.requireDnsLabel("service name", name)).isEqualTo(name);
  }

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(strings = {"Web", "WEB", "web_1", "-web", "web-", "-", "a.b", "web 1", "wéb", "web/1"})
  void refusesWhatIsNotADnsLabelNamingTheValueAndTheRule(String name) {
    assertThat(Names.isDnsLabel(name)).isFalse();
    assertThatThrownBy(() -> Names.requireDnsLabel("--identity", name))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("--identity '" + name + "' is not a valid DNS label")
        .hasMessageContaining("lower-case letters, digits and '-'");
  }

  @Test
  void acceptsSixtyThreeCharactersAndRefusesSixtyFourSayingHowLongItIs() {
    assertThat(LONGEST).hasSize(63);
    String tooLong = LONGEST + "a";

    assertThat(Names.isDnsLabel(tooLong)).isFalse();
    assertThatThrownBy(() -> Names.requireDnsLabel("service name", tooLong))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("is 64 characters long")
        .hasMessageContaining("at most 63");
  }

  @ParameterizedTest
  @NullAndEmptySource
  void refusesAMissingNameNamingWhatItIsFor(String name) {
    assertThat(Names.isDnsLabel(name)).isFalse();
    assertThatThrownBy(() -> Names.requireDnsLabel("node name", name))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("node name is missing");
  }
}
