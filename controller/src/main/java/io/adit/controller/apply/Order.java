package io.adit.controller.apply;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The order in which applied objects are written when they take several transactions: those
 * that others refer to first (identities, then a service before the services whose {@code to}
 * names it), so that every batch is valid on its own. Otherwise the order given is kept.
 */
final class Order {
  private Order() {}

  /**
   * @param dependsOn the name of the object this one refers to ("" for none)
   * @param late whether the object belongs to the second group (services)
   */
  static <T> List<T> byDependency(List<T> items, Function<T, String> dependsOn, Predicate<T> late, Function<T, String> name) {
    List<T> out = new ArrayList<>();
    items.stream().filter(late.negate()).forEach(out::add);
    Map<String, T> byName = new LinkedHashMap<>();
    items.stream().filter(late).forEach(t -> byName.put(name.apply(t), t));
    Set<String> placed = new HashSet<>();
    for (T t : byName.values()) {
      place(t, byName, dependsOn, name, placed, new HashSet<>(), out);
    }
    return out;
  }

  private static <T> void place(T t, Map<String, T> byName, Function<T, String> dependsOn, Function<T, String> name,
      Set<String> placed, Set<String> visiting, List<T> out) {
    String n = name.apply(t);
    if (placed.contains(n) || !visiting.add(n)) {
      return; // done, or a cycle of client-mode services: the order given breaks it
    }
    T target = byName.get(dependsOn.apply(t));
    if (target != null) {
      place(target, byName, dependsOn, name, placed, visiting, out);
    }
    placed.add(n);
    out.add(t);
  }
}
