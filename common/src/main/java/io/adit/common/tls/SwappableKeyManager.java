package io.adit.common.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * One key and its certificate chain, for either end of a TLS connection, swappable at run time:
 * each new handshake takes the current pair, handshakes in flight keep theirs. It answers every
 * alias question with the one pair it holds — it presents that certificate whatever CA names the
 * peer announces, which is what a renewed credential needs (and what a test of a foreign
 * certificate needs). Used with the JDK TLS provider, which asks the key manager on every
 * handshake.
 */
public final class SwappableKeyManager extends X509ExtendedKeyManager {
  private static final String ALIAS = "adit";

  /** A private key with its certificate chain, leaf first. */
  public record Pair(PrivateKey key, X509Certificate[] chain) {
    public Pair {
      chain = chain.clone();
    }

    public X509Certificate leaf() {
      return chain[0];
    }
  }

  private final AtomicReference<Pair> current;

  public SwappableKeyManager(PrivateKey key, X509Certificate... chain) {
    this.current = new AtomicReference<>(new Pair(key, chain));
  }

  public void update(PrivateKey key, X509Certificate... chain) {
    current.set(new Pair(key, chain));
  }

  public Pair current() {
    return current.get();
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return ALIAS;
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return ALIAS;
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    return ALIAS;
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return ALIAS;
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return new String[] {ALIAS};
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return new String[] {ALIAS};
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return current.get().chain();
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return current.get().key();
  }
}
