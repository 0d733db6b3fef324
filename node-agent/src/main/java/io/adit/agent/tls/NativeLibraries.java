package io.adit.agent.tls;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Why one of Netty's native libraries (BoringSSL from netty-tcnative, epoll) did not load, in
 * words an operator can act on. Netty unpacks them from the jar into a work directory
 * ({@code io.netty.native.workdir}, else {@code java.io.tmpdir}, else /tmp) and loads them from
 * there; a directory that cannot be written, or is mounted noexec, makes the agent fall back to
 * the JDK's TLS and to Java NIO without failing.
 */
public final class NativeLibraries {
  private NativeLibraries() {}

  /** "the reason[; where it was unpacked and what to do]" for {@code cause} (null: unknown). */
  public static String explain(Throwable cause) {
    if (cause == null) {
      return "no reason given";
    }
    String reason = reason(cause);
    return loading(cause) ? reason + "; " + hint() : reason;
  }

  /** Where Netty unpacks its native libraries, and how to change that. */
  static String hint() {
    String workdir = System.getProperty("io.netty.native.workdir");
    if (workdir != null) {
      return "Netty unpacks it into io.netty.native.workdir " + workdir + ", which must be a writable directory"
          + " not mounted noexec";
    }
    return "Netty unpacks it into java.io.tmpdir " + System.getProperty("java.io.tmpdir") + ", which must be"
        + " writable and not mounted noexec: set -Djava.io.tmpdir=DIR in ADIT_JAVA_OPTS, or give the service"
        + " its own (systemd PrivateTmp=yes)";
  }

  /** The innermost message, and the first suppressed one (Netty adds each place it tried). */
  private static String reason(Throwable cause) {
    List<String> parts = new ArrayList<>();
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    parts.add(message(root));
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      for (Throwable s : t.getSuppressed()) {
        String m = message(s);
        if (!parts.contains(m)) {
          parts.add(m);
          break;
        }
      }
      if (parts.size() > 1) {
        break;
      }
    }
    return String.join(": ", parts);
  }

  private static String message(Throwable t) {
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage().lines().findFirst().orElse("");
  }

  /** Whether the library was there but could not be unpacked or loaded (not: wrong OS, not on the class path). */
  private static boolean loading(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      if (t instanceof UnsatisfiedLinkError || t instanceof java.io.IOException || m.contains("native library")
          || m.contains("workdir")) {
        return true;
      }
      for (Throwable s : t.getSuppressed()) {
        if (s instanceof UnsatisfiedLinkError || s instanceof java.io.IOException) {
          return true;
        }
      }
    }
    return false;
  }
}
