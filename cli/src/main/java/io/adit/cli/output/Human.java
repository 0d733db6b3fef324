package io.adit.cli.output;

import com.google.protobuf.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/** Times, ages and sizes as people read them in a table. JSON and YAML use exact values. */
public final class Human {
  private Human() {}

  /** RFC 3339 in UTC, or null when the timestamp is not set. */
  public static String time(Timestamp ts) {
    Instant i = instant(ts);
    return i == null ? null : i.toString();
  }

  public static Instant instant(Timestamp ts) {
    if (ts == null || (ts.getSeconds() == 0 && ts.getNanos() == 0)) {
      return null;
    }
    return Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos());
  }

  /** The largest unit or two of a duration, like kubectl's AGE: 45s, 5m10s, 3h, 2d4h. */
  public static String age(Duration d) {
    long s = Math.max(0, d.getSeconds());
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return two(s / 60, "m", s % 60, "s");
    }
    if (s < 86400) {
      return two(s / 3600, "h", s % 3600 / 60, "m");
    }
    return two(s / 86400, "d", s % 86400 / 3600, "h");
  }

  private static String two(long a, String ua, long b, String ub) {
    return b == 0 || a >= 10 ? a + ua : a + ua + b + ub;
  }

  /** "5m ago" or "in 23h", or "-" when the time is not set. */
  public static String relative(Timestamp ts, Instant now) {
    return relative(instant(ts), now);
  }

  public static String relative(Instant then, Instant now) {
    if (then == null) {
      return "-";
    }
    Duration d = Duration.between(now, then);
    return d.isNegative() ? age(d.negated()) + " ago" : "in " + age(d);
  }

  /** RFC 3339 to the second, then the relative time: "2025-01-01T00:00:00Z (in 23h)". */
  public static String timeAndRelative(Timestamp ts, Instant now) {
    Instant then = instant(ts);
    return then == null ? "-" : then.truncatedTo(ChronoUnit.SECONDS) + " (" + relative(ts, now) + ")";
  }

  public static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  public static String list(List<String> items) {
    return items.isEmpty() ? "-" : String.join(",", items);
  }

  public static String orDash(String s) {
    return s == null || s.isEmpty() ? "-" : s;
  }
}
