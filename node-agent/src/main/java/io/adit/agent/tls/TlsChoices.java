package io.adit.agent.tls;

import io.adit.common.validation.TlsNames;
import java.util.ArrayList;
import java.util.List;

/**
 * The cipher suites and key-exchange groups one service narrows its relay to (stunnel's
 * {@code ciphers}, {@code ciphersuites} and {@code curves}); an empty list keeps Adit's default.
 * Names as the controller stores them: IANA suites, groups X25519, P-256, P-384, P-521. The
 * constructor checks them again, so a relay never runs with a name it does not understand.
 *
 * @param ciphers TLS 1.2 suites, in order of preference
 * @param ciphersuites TLS 1.3 suites
 * @param curves key-exchange groups, in order of preference
 */
public record TlsChoices(List<String> ciphers, List<String> ciphersuites, List<String> curves) {
  public static final TlsChoices DEFAULT = new TlsChoices(List.of(), List.of(), List.of());

  public TlsChoices {
    ciphers = TlsNames.ciphers("ciphers", ciphers == null ? List.of() : ciphers);
    ciphersuites = TlsNames.ciphersuites("ciphersuites", ciphersuites == null ? List.of() : ciphersuites);
    curves = TlsNames.curves("curves", curves == null ? List.of() : curves);
  }

  /** The suites to enable: TLS 1.3 ones first, then TLS 1.2 ones, each list or its default. */
  List<String> suites() {
    List<String> out = new ArrayList<>(ciphersuites.isEmpty() ? TlsNames.TLS13_SUITES : ciphersuites);
    out.addAll(ciphers.isEmpty() ? TlsNames.TLS12_SUITES : ciphers);
    return out;
  }

  /**
   * Why {@code provider} cannot honour these choices, or null when it can. BoringSSL offers its
   * three TLS 1.3 suites whatever it is told; the JDK's engine on Java 17 has no per-context
   * setting for key-exchange groups (only the process-wide {@code jdk.tls.namedGroups}).
   */
  String unsupportedBy(Provider provider) {
    if (provider == Provider.OPENSSL && !ciphersuites.isEmpty() && !ciphersuites.containsAll(TlsNames.TLS13_SUITES)) {
      return "ciphersuites " + String.join(":", ciphersuites) + " cannot be applied: BoringSSL always offers all"
          + " three TLS 1.3 suites; remove ciphersuites from the service, or run the agent with --tls-provider jdk";
    }
    if (provider == Provider.JDK && !curves.isEmpty()) {
      return "curves " + String.join(":", curves) + " cannot be applied: the JDK's TLS engine cannot set key-exchange"
          + " groups per service; remove curves from the service, or run the agent with BoringSSL"
          + " (--tls-provider openssl, the default)";
    }
    return null;
  }
}
