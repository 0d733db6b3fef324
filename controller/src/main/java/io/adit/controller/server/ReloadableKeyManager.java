package io.adit.controller.server;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The controller's serving key and chain, swappable at run time: each new handshake takes the
 * current pair, handshakes in flight keep theirs. Used with the JDK TLS provider, which asks
 * the key manager on every handshake.
 */
public final class ReloadableKeyManager extends X509ExtendedKeyManager {
  private static final String ALIAS = "adit-controller";

  /** A private key with its certificate chain, leaf first. */
  public record Material(PrivateKey key, X509Certificate[] chain) {}

  private final AtomicReference<Material> current;

  public ReloadableKeyManager(Material initial) {
    this.current = new AtomicReference<>(initial);
  }

  public void update(Material material) {
    current.set(material);
  }

  public X509Certificate leaf() {
    return current.get().chain()[0];
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
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return new String[] {ALIAS};
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return current.get().chain().clone();
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return current.get().key();
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return null;
  }
}
