package io.adit.common.validation;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people type them: {@code 90s}, {@code 10m}, {@code 24h}, {@code 7d}, {@code 1h30m}. */
public final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private Durations() {}

  public static Duration parse(String what, String text) {
    if (text == null || text.isBlank()) {
      throw new InvalidInputException(what + " is missing: give a duration such as 30s, 10m, 24h or 7d");
    }
    String s = text.trim().toLowerCase(java.util.Locale.ROOT);
    Matcher m = PART.matcher(s);
    Duration total = Duration.ZERO;
    int end = 0;
    try {
      while (m.lookingAt()) {
        long n = Long.parseLong(m.group(1));
        total = total.plus(switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        });
        end = m.end();
        m.region(end, s.length());
      }
    } catch (NumberFormatException | ArithmeticException e) {
      throw new InvalidInputException(what + " '" + text + "' is too large");
    }
    if (end == 0 || end != s.length()) {
      throw new InvalidInputException(what + " '" + text + "' is not a duration: use a number with a unit, such as 30s, 10m, 24h or 7d");
    }
    return total;
  }

  /** The shortest exact spelling, which {@link #parse} reads back: 86400 s is "1d", 90 s is "1m30s". */
  public static String format(Duration d) {
    if (d.isNegative()) {
      return "-" + format(d.negated());
    }
    long s = d.getSeconds();
    int ms = d.toMillisPart();
    if (s == 0) {
      return ms + "ms";
    }
    StringBuilder b = new StringBuilder();
    long[] units = {86400, 3600, 60, 1};
    String[] names = {"d", "h", "m", "s"};
    for (int i = 0; i < units.length; i++) {
      if (s >= units[i]) {
        b.append(s / units[i]).append(names[i]);
        s %= units[i];
      }
    }
    if (ms != 0) {
      b.append(ms).append("ms");
    }
    return b.toString();
  }
}
