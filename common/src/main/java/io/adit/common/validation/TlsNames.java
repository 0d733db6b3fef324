package io.adit.common.validation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The TLS cipher suites and key-exchange groups a service may name (stunnel's {@code ciphers},
 * {@code ciphersuites} and {@code curves}), and their one stored spelling. Adit speaks TLS 1.2
 * and 1.3 with forward-secret AEAD suites only, so the lists below are all there is; names are
 * accepted as OpenSSL spells them ({@code ECDHE-ECDSA-AES128-GCM-SHA256}) or as IANA does
 * ({@code TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}), and stored in the IANA form, which both TLS
 * providers take. Pure; every refusal is one sentence that names the value and what to use.
 */
public final class TlsNames {
  /** TLS 1.2 suites, IANA name to OpenSSL name, in Adit's order of preference. */
  private static final Map<String, String> TLS12 = new LinkedHashMap<>();
  /** TLS 1.3 suites: OpenSSL spells them as IANA does. */
  public static final List<String> TLS13_SUITES =
      List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");
  /** Groups: the stored name, then the other spellings OpenSSL and the JDK use. */
  private static final Map<String, List<String>> GROUPS = new LinkedHashMap<>();

  /** Words of OpenSSL's cipher-string language that select suites rather than name one. */
  private static final Set<String> KEYWORDS = Set.of("DEFAULT", "ALL", "HIGH", "MEDIUM", "LOW", "COMPLEMENTOFDEFAULT",
      "COMPLEMENTOFALL", "SUITEB128", "SUITEB128ONLY", "SUITEB192");

  static {
    TLS12.put("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256");
    TLS12.put("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256");
    TLS12.put("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384");
    TLS12.put("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384");
    TLS12.put("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305");
    TLS12.put("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305");
    GROUPS.put("X25519", List.of("X25519"));
    GROUPS.put("P-256", List.of("P-256", "PRIME256V1", "SECP256R1"));
    GROUPS.put("P-384", List.of("P-384", "SECP384R1"));
    GROUPS.put("P-521", List.of("P-521", "SECP521R1"));
  }

  /** The TLS 1.2 suites Adit offers, IANA names, in its order of preference. */
  public static final List<String> TLS12_SUITES = List.copyOf(TLS12.keySet());

  private TlsNames() {}

  /** A stunnel-style list: names separated by colons or commas; blanks dropped. */
  public static List<String> split(String value) {
    List<String> out = new ArrayList<>();
    for (String part : value.split("[:,]")) {
      if (!part.isBlank()) {
        out.add(part.strip());
      }
    }
    return out;
  }

  /**
   * TLS 1.2 suites in IANA form, order kept, duplicates dropped.
   *
   * @param what how the user spelled the setting ("--ciphers"), to start the message; empty: the
   *     message starts with the bad name
   */
  public static List<String> ciphers(String what, List<String> names) {
    Set<String> out = new LinkedHashSet<>();
    for (String name : names) {
      String iana = suite(what, name);
      if (TLS13_SUITES.contains(iana)) {
        throw new InvalidInputException(prefix(what) + name + " is a TLS 1.3 suite; TLS 1.3 suites are set with"
            + " ciphersuites (--ciphersuites), TLS 1.2 ones with ciphers");
      }
      out.add(iana);
    }
    return List.copyOf(out);
  }

  /** TLS 1.3 suites, order kept, duplicates dropped. */
  public static List<String> ciphersuites(String what, List<String> names) {
    Set<String> out = new LinkedHashSet<>();
    for (String name : names) {
      String iana = suite(what, name);
      if (!TLS13_SUITES.contains(iana)) {
        throw new InvalidInputException(prefix(what) + name + " is a TLS 1.2 suite; TLS 1.2 suites are set with"
            + " ciphers (--ciphers), TLS 1.3 ones with ciphersuites: " + String.join(":", TLS13_SUITES));
      }
      out.add(iana);
    }
    return List.copyOf(out);
  }

  /** Key-exchange groups as stored (X25519, P-256, P-384, P-521), order kept, duplicates dropped. */
  public static List<String> curves(String what, List<String> names) {
    Set<String> out = new LinkedHashSet<>();
    for (String name : names) {
      String upper = name.strip().toUpperCase(Locale.ROOT);
      String found = GROUPS.entrySet().stream().filter(e -> e.getValue().contains(upper)).map(Map.Entry::getKey)
          .findFirst().orElseThrow(() -> new InvalidInputException(prefix(what) + name
              + " is not a key-exchange group Adit supports; use X25519, P-256 (prime256v1), P-384 (secp384r1)"
              + " or P-521 (secp521r1)"));
      out.add(found);
    }
    return List.copyOf(out);
  }

  /** One suite, in IANA form, or a refusal saying why it is not one Adit offers. */
  private static String suite(String what, String name) {
    String n = name.strip();
    String upper = n.toUpperCase(Locale.ROOT);
    if (TLS12.containsKey(upper) || TLS13_SUITES.contains(upper)) {
      return upper;
    }
    for (Map.Entry<String, String> e : TLS12.entrySet()) {
      if (e.getValue().equals(upper)) {
        return e.getKey();
      }
    }
    String choices = " Adit offers ECDHE suites with AES-GCM or ChaCha20-Poly1305: " + String.join(":", TLS12.values())
        + " (TLS 1.2) and " + String.join(":", TLS13_SUITES) + " (TLS 1.3)";
    if (isExpression(n)) {
      throw new InvalidInputException(prefix(what) + n + " is part of an OpenSSL cipher expression (like HIGH:!aNULL),"
          + " not the name of a suite; list the suites explicitly." + choices);
    }
    boolean iana = upper.startsWith("TLS_") || upper.startsWith("SSL_");
    // TLS 1.3 suites (TLS_AES_128_CCM_SHA256) name no key exchange: it is always ephemeral.
    boolean forwardSecret = iana ? !upper.contains("_WITH_") || upper.matches("(TLS|SSL)_(ECDHE|DHE)_(RSA|ECDSA|DSS)_WITH_.*")
        : upper.matches("(ECDHE|DHE|EDH)-(RSA|ECDSA|DSS)-.*") || upper.matches("(ECDHE|DHE|EDH)-(AES|CHACHA|CAMELLIA|ARIA|DES).*");
    boolean aead = upper.contains("GCM") || upper.contains("CHACHA20") || upper.contains("CCM");
    if (!forwardSecret || !aead) {
      String why = !forwardSecret && !aead ? "it has neither forward secrecy nor an AEAD cipher"
          : !forwardSecret ? "it has no forward secrecy" : "its cipher is not AEAD (CBC or a stream cipher)";
      throw new InvalidInputException(prefix(what) + n + " is a weak suite: " + why + "." + choices);
    }
    throw new InvalidInputException(prefix(what) + n + " is not a suite Adit's TLS engines offer." + choices);
  }

  private static String prefix(String what) {
    return what.isEmpty() ? "" : what + ": ";
  }

  private static boolean isExpression(String token) {
    if (token.startsWith("!") || token.startsWith("-") || token.startsWith("+") || token.startsWith("@")
        || token.contains("+")) {
      return true;
    }
    // Suite names have '-' (OpenSSL) or '_' (IANA); a bare word is a keyword or an alias (ECDHE, AESGCM, aNULL).
    return KEYWORDS.contains(token.toUpperCase(Locale.ROOT)) || (!token.contains("-") && !token.contains("_"));
  }
}
