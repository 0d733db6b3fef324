package io.adit.common.validation;

import java.util.regex.Pattern;

/** Names of services, identities and nodes: DNS labels (RFC 1123), so they fit in a SAN. */
public final class Names {
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  private Names() {}

  public static boolean isDnsLabel(String name) {
    return name != null && DNS_LABEL.matcher(name).matches();
  }

  /**
   * Checks a name and explains a bad one.
   *
   * @param what what the name is for, as the user calls it ("service name", "--identity")
   * @throws InvalidInputException naming the value and the rule it breaks
   */
  public static String requireDnsLabel(String what, String name) {
    if (name == null || name.isEmpty()) {
      throw new InvalidInputException(what + " is missing");
    }
    if (!isDnsLabel(name)) {
      String hint = name.length() > 63
          ? "it is " + name.length() + " characters long, at most 63 are allowed"
          : "use lower-case letters, digits and '-', starting and ending with a letter or digit";
      throw new InvalidInputException(what + " '" + name + "' is not a valid DNS label: " + hint);
    }
    return name;
  }
}
