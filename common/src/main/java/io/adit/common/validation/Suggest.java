package io.adit.common.validation;

import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;

/**
 * "Did you mean": the known name nearest to a misspelt one, if it is near enough (edit distance).
 * For aditctl's declarative files and the daemons' config files.
 */
public final class Suggest {
  private Suggest() {}

  public static Optional<String> nearest(String typed, Collection<String> known) {
    String t = typed.toLowerCase(Locale.ROOT);
    return known.stream()
        .filter(k -> distance(t, k.toLowerCase(Locale.ROOT)) <= Math.max(1, Math.min(2, k.length() / 3)))
        .min(Comparator.comparingInt(k -> distance(t, k.toLowerCase(Locale.ROOT))));
  }

  /** Levenshtein distance. */
  public static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] swap = prev;
      prev = cur;
      cur = swap;
    }
    return prev[b.length()];
  }
}
