package io.adit.agent.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Which TLS implementation a context uses. */
public enum Provider {
  /** BoringSSL through netty-tcnative: faster handshakes and bulk encryption. */
  OPENSSL(SslProvider.OPENSSL),
  /** The JDK's SSLEngine: always there, slower. */
  JDK(SslProvider.JDK);

  private static final Logger log = LoggerFactory.getLogger(Provider.class);
  private static volatile Provider best;

  private final SslProvider netty;

  Provider(SslProvider netty) {
    this.netty = netty;
  }

  SslProvider netty() {
    return netty;
  }

  /** Whether this provider can be used on this host (BoringSSL needs its native library). */
  public boolean isAvailable() {
    return this == JDK || (OpenSsl.isAvailable() && SslProvider.isTlsv13Supported(SslProvider.OPENSSL));
  }

  /** BoringSSL when its native library loads here, else the JDK. {@link #log} says which, and why. */
  public static Provider best() {
    Provider p = best;
    if (p == null) {
      p = OPENSSL.isAvailable() ? OPENSSL : JDK;
      best = p;
    }
    return p;
  }

  /**
   * Logs the TLS implementation the relays use: BoringSSL with its version, the JDK's by choice,
   * or the JDK's because BoringSSL did not load (a warning, with the reason and what to do).
   */
  public static void log(Provider chosen) {
    if (chosen == OPENSSL) {
      log.info("TLS: BoringSSL ({}, netty-tcnative)", OpenSsl.versionString());
    } else if (OPENSSL.isAvailable()) {
      log.info("TLS: the JDK's SSLEngine (--tls-provider jdk; BoringSSL {} is available)", OpenSsl.versionString());
    } else {
      log.warn("TLS: the JDK's SSLEngine, slower: BoringSSL is not usable here ({})", whyNotOpenSsl());
    }
  }

  /** Why BoringSSL cannot be used, in plain words. */
  static String whyNotOpenSsl() {
    if (!OpenSsl.isAvailable()) {
      return NativeLibraries.explain(OpenSsl.unavailabilityCause());
    }
    return "it does not offer TLS 1.3";
  }
}
