package io.adit.common.validation;

/**
 * An address as operators write it in stunnel.conf and on the command line: {@code PORT},
 * {@code HOST:PORT} or {@code [IPv6]:PORT}. The host is empty for a bare port.
 */
public record HostPort(String host, int port) {

  /** Port 0 is allowed here (bind to any free port); {@link #parse} refuses it. */
  public HostPort {
    if (port < 0 || port > 65535) {
      throw new InvalidInputException("port " + port + " is out of range: use 1-65535");
    }
    host = host == null ? "" : host;
  }

  public boolean hasHost() {
    return !host.isEmpty();
  }

  /**
   * Parses an address.
   *
   * @param what the flag or field, for the error message ("--accept")
   * @param requireHost whether a bare port is an error
   */
  public static HostPort parse(String what, String text, boolean requireHost) {
    if (text == null || text.isBlank()) {
      throw new InvalidInputException(what + " is missing: give HOST:PORT");
    }
    String s = text.trim();
    String host;
    String port;
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
        throw new InvalidInputException(what + " '" + text + "' is not valid: write an IPv6 address as [ADDR]:PORT");
      }
      host = s.substring(1, close);
      port = s.substring(close + 2);
      if (host.isEmpty()) {
        throw new InvalidInputException(what + " '" + text + "' has an empty host: give HOST:PORT or a bare PORT");
      }
    } else {
      int colon = s.lastIndexOf(':');
      if (colon >= 0 && s.indexOf(':') != colon) {
        throw new InvalidInputException(what + " '" + text + "' is not valid: write an IPv6 address as [ADDR]:PORT");
      }
      host = colon < 0 ? "" : s.substring(0, colon);
      port = colon < 0 ? s : s.substring(colon + 1);
      if (colon >= 0 && host.isEmpty()) {
        throw new InvalidInputException(what + " '" + text + "' has an empty host: give HOST:PORT or a bare PORT");
      }
    }
    if (requireHost && host.isEmpty()) {
      throw new InvalidInputException(what + " '" + text + "' has no host: give HOST:PORT");
    }
    if (!port.matches("-?[0-9]{1,9}")) {
      throw new InvalidInputException(what + " '" + text + "' has no valid port: give a number from 1 to 65535");
    }
    int p = Integer.parseInt(port);
    if (p < 1 || p > 65535) {
      throw new InvalidInputException(what + " '" + text + "': port " + p + " is out of range, use 1-65535");
    }
    if (host.chars().anyMatch(Character::isWhitespace)) {
      throw new InvalidInputException(what + " '" + text + "' contains spaces");
    }
    return new HostPort(host, p);
  }

  @Override
  public String toString() {
    if (host.isEmpty()) {
      return Integer.toString(port);
    }
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
