package io.adit.controller.apply;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OrderTest {
  /** name → what it refers to; names starting with "id-" are identities (written first). */
  static List<String> order(List<String> names, Map<String, String> to) {
    return Order.byDependency(names, n -> to.getOrDefault(n, ""), n -> !n.startsWith("id-"), n -> n);
  }

  @Test
  void identitiesComeFirstThenEachServiceAfterTheServiceItsToNames() {
    assertThat(order(List.of("c", "id-1", "b", "a", "id-2"), Map.of("c", "b", "b", "a")))
        .containsExactly("id-1", "id-2", "a", "b", "c");
  }

  @Test
  void otherwiseTheOrderGivenIsKeptAndACycleDoesNotLoop() {
    assertThat(order(List.of("x", "y", "z"), Map.of())).containsExactly("x", "y", "z");
    assertThat(order(List.of("x", "y"), Map.of("x", "y", "y", "x"))).containsExactly("y", "x");
    assertThat(order(List.of("x"), Map.of("x", "elsewhere"))).containsExactly("x");
  }
}
