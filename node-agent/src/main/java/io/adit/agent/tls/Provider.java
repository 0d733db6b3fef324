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

  /** BoringSSL when its native library loads here, else the JDK. Logged once, at first use. */
  public static Provider best() {
    Provider p = best;
    if (p == null) {
      synchronized (Provider.class) {
        p = best;
        if (p == null) {
          p = OPENSSL.isAvailable() ? OPENSSL : JDK;
          if (p == OPENSSL) {
            log.info("TLS by BoringSSL ({})", OpenSsl.versionString());
          } else {
            Throwable why = OpenSsl.unavailabilityCause();
            log.info("TLS by the JDK: BoringSSL (netty-tcnative) is not usable here{}",
                why == null ? "" : " (" + why.getMessage() + ")");
          }
          best = p;
        }
      }
    }
    return p;
  }
}
