package io.adit.agent.identity;

import io.adit.common.pki.Keys;
import io.adit.common.pki.SpiffeId;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trust for the join, before the agent has a CA: the controller's chain must end in a CA whose
 * SubjectPublicKeyInfo hash is the one in the join token, the leaf must be signed by it, be
 * valid now, and name the controllers' identity ({@code spiffe://<td>/controller}) — so another
 * certificate of the same CA (a node's, say) cannot pose as the controller.
 */
final class PinnedCaTrust extends X509ExtendedTrustManager {
  private final String caHash;
  private volatile X509Certificate pinnedCa;

  PinnedCaTrust(String caHash) {
    this.caHash = caHash;
  }

  /** The CA that matched the pin, once a handshake succeeded. */
  Optional<X509Certificate> pinnedCa() {
    return Optional.ofNullable(pinnedCa);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    X509Certificate leaf = chain[0];
    X509Certificate ca = null;
    for (X509Certificate c : chain) {
      if (Keys.spkiHash(c).equals(caHash)) {
        ca = c;
      }
    }
    if (ca == null) {
      throw new CertificateException("the controller's certificate chain does not contain the CA the join token pins "
          + "(the token belongs to another cluster, or this is not an Adit controller)");
    }
    try {
      leaf.verify(ca.getPublicKey());
      leaf.checkValidity();
    } catch (GeneralSecurityException e) {
      throw new CertificateException("the controller's certificate is not valid under the pinned CA: " + e.getMessage(), e);
    }
    Optional<SpiffeId> id = SpiffeId.of(leaf);
    if (id.isEmpty() || id.get().kind() != SpiffeId.Kind.CONTROLLER) {
      throw new CertificateException("the server's certificate is not a controller's (" + id.map(Object::toString).orElse("no Adit identity") + ")");
    }
    pinnedCa = ca;
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    checkServerTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    checkServerTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("not a server");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    throw new CertificateException("not a server");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    throw new CertificateException("not a server");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
