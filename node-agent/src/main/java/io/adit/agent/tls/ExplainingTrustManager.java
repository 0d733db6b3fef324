package io.adit.agent.tls;

import io.adit.agent.tls.PeerCertificateException.Problem;
import java.net.Socket;
import java.security.KeyStore;
import java.security.cert.CRLReason;
import java.security.cert.CertificateException;
import java.security.cert.CertificateRevokedException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The JDK's PKIX trust manager (chain, validity, key usage and, for clients, the server name),
 * with its refusals rewritten in plain words as {@link PeerCertificateException}s. The JDK says
 * "PKIX path building failed: unable to find valid certification path to requested target";
 * an operator needs "client certificate was issued by an unknown CA (CN=Other CA)".
 */
final class ExplainingTrustManager extends X509ExtendedTrustManager {
  private final X509ExtendedTrustManager pkix;
  private final RevocationCheck revocations;

  private ExplainingTrustManager(X509ExtendedTrustManager pkix, RevocationCheck revocations) {
    this.pkix = pkix;
    this.revocations = revocations;
  }

  static ExplainingTrustManager trusting(List<X509Certificate> anchors) {
    return trusting(anchors, RevocationCheck.NONE);
  }

  /** Trusting {@code anchors}, and refusing what {@code revocations} says is revoked. */
  static ExplainingTrustManager trusting(List<X509Certificate> anchors, RevocationCheck revocations) {
    if (anchors.isEmpty()) {
      throw new IllegalArgumentException("no trusted CA certificate given");
    }
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      for (int i = 0; i < anchors.size(); i++) {
        store.setCertificateEntry("ca-" + i, anchors.get(i));
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
      factory.init(store);
      for (TrustManager tm : factory.getTrustManagers()) {
        if (tm instanceof X509ExtendedTrustManager x) {
          return new ExplainingTrustManager(x, revocations);
        }
      }
      throw new IllegalStateException("the JDK has no PKIX X509ExtendedTrustManager");
    } catch (java.security.GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot build a trust manager: " + e.getMessage(), e);
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    try {
      pkix.checkClientTrusted(chain, authType, engine);
      checkRevoked("client", chain);
    } catch (CertificateException e) {
      throw explain("client", chain, e, null);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    try {
      pkix.checkServerTrusted(chain, authType, engine);
      checkRevoked("server", chain);
    } catch (CertificateException e) {
      throw explain("server", chain, e, engine == null ? null : engine.getPeerHost());
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    try {
      pkix.checkClientTrusted(chain, authType, socket);
      checkRevoked("client", chain);
    } catch (CertificateException e) {
      throw explain("client", chain, e, null);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    try {
      pkix.checkServerTrusted(chain, authType, socket);
      checkRevoked("server", chain);
    } catch (CertificateException e) {
      throw explain("server", chain, e, null);
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    try {
      pkix.checkClientTrusted(chain, authType);
      checkRevoked("client", chain);
    } catch (CertificateException e) {
      throw explain("client", chain, e, null);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    try {
      pkix.checkServerTrusted(chain, authType);
      checkRevoked("server", chain);
    } catch (CertificateException e) {
      throw explain("server", chain, e, null);
    }
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return pkix.getAcceptedIssuers();
  }

  /** Refuses a chain whose leaf was revoked, with the revocation's reason. */
  private void checkRevoked(String who, X509Certificate[] chain) throws PeerCertificateException {
    Optional<String> why = revocations.refusal(chain[0]);
    if (why.isPresent()) {
      CertificateRevokedException revoked = new CertificateRevokedException(new Date(), CRLReason.UNSPECIFIED,
          chain[0].getIssuerX500Principal(), Map.of());
      throw new PeerCertificateException(Problem.REVOKED, who + " " + why.get(), revoked);
    }
  }

  /** Rewrites a PKIX refusal of {@code who}'s chain ("client" or "server") in plain words. */
  PeerCertificateException explain(String who, X509Certificate[] chain, CertificateException e, String serverName) {
    if (e instanceof PeerCertificateException p) {
      return p;
    }
    if (chain == null || chain.length == 0) {
      return new PeerCertificateException(Problem.OTHER, who + " presented no certificate", e);
    }
    X509Certificate leaf = chain[0];
    if (!chainsToTrustedCa(chain)) {
      return new PeerCertificateException(Problem.UNKNOWN_CA, who + " certificate was issued by an unknown CA ("
          + leaf.getIssuerX500Principal().getName() + ")", e);
    }
    Date now = new Date();
    for (X509Certificate cert : chain) {
      String which = cert == leaf ? who + " certificate" : who + " certificate's CA " + cert.getSubjectX500Principal().getName();
      if (now.after(cert.getNotAfter())) {
        return new PeerCertificateException(Problem.EXPIRED, which + " expired at " + cert.getNotAfter().toInstant(), e);
      }
      if (now.before(cert.getNotBefore())) {
        return new PeerCertificateException(Problem.NOT_YET_VALID,
            which + " is not valid before " + cert.getNotBefore().toInstant() + " (is a clock wrong?)", e);
      }
    }
    String message = String.valueOf(e.getMessage());
    if (serverName != null && (message.contains("No subject alternative") || message.contains("No name matching"))) {
      return new PeerCertificateException(Problem.NAME_MISMATCH, "server certificate does not match server name "
          + serverName + " (it is for " + names(leaf) + ")", e);
    }
    return new PeerCertificateException(Problem.OTHER, who + " certificate was refused: " + message, e);
  }

  /** Whether some certificate of the chain was signed by one of the trusted CAs. */
  private boolean chainsToTrustedCa(X509Certificate[] chain) {
    for (X509Certificate cert : chain) {
      for (X509Certificate anchor : pkix.getAcceptedIssuers()) {
        if (cert.getIssuerX500Principal().equals(anchor.getSubjectX500Principal())) {
          try {
            cert.verify(anchor.getPublicKey());
            return true;
          } catch (java.security.GeneralSecurityException notThisOne) {
            // same name, other key: keep looking
          }
        }
      }
    }
    return false;
  }

  /** The DNS and IP names of a certificate, or its subject when it has none. */
  static String names(X509Certificate cert) {
    List<String> names = new ArrayList<>();
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          Object type = san.get(0);
          if (Integer.valueOf(2).equals(type) || Integer.valueOf(7).equals(type)) {
            names.add(String.valueOf(san.get(1)));
          }
        }
      }
    } catch (java.security.cert.CertificateParsingException ignored) {
      // fall through to the subject
    }
    return names.isEmpty() ? cert.getSubjectX500Principal().getName() : String.join(", ", names);
  }
}
