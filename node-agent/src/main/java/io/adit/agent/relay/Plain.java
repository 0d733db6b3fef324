package io.adit.agent.relay;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;

/** Small formatting helpers for log lines and reasons. */
final class Plain {
  private Plain() {}

  /** "300 ms", "10 s", "1.5 s", "5 min". */
  static String duration(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + " ms";
    }
    if (ms % 60_000 == 0 && ms >= 120_000) {
      return (ms / 60_000) + " min";
    }
    if (ms % 1000 == 0) {
      return (ms / 1000) + " s";
    }
    return String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
  }

  /** "10.1.2.3:7000" or "backend.example:7000", without the "/" Java puts in front. */
  static String address(SocketAddress address) {
    if (address instanceof InetSocketAddress a) {
      String host = a.isUnresolved() || a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }
    return String.valueOf(address);
  }
}
