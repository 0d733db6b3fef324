package io.adit.controller.server;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Lets the TLS handshake complete with any client certificate (TLS still proves the client
 * holds its key) and leaves the verdict to {@link io.adit.controller.auth.AuthInterceptor},
 * which checks the certificate against the current trust bundle on every call. That way the
 * refusal reaches the caller as a gRPC status with the precise reason ("expired at …", "not
 * issued by this cluster's CA") instead of a bare TLS alert, and a change of trust bundle
 * needs no new TLS context.
 *
 * <p>The CA names it announces are the cluster's, so clients holding several certificates pick
 * the right one.
 */
final class DeferredClientTrust extends X509ExtendedTrustManager {
  private final Supplier<List<X509Certificate>> bundle;

  DeferredClientTrust(Supplier<List<X509Certificate>> bundle) {
    this.bundle = bundle;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    requireChain(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    requireChain(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    requireChain(chain);
  }

  private static void requireChain(X509Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("empty client certificate chain");
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("the controller does not act as a TLS client here");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    throw new CertificateException("the controller does not act as a TLS client here");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    throw new CertificateException("the controller does not act as a TLS client here");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return bundle.get().toArray(new X509Certificate[0]);
  }
}
