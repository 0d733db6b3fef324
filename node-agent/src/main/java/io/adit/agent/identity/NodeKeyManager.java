package io.adit.agent.identity;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/** The node's credential for talking to the controllers; renewal swaps it for new handshakes. */
final class NodeKeyManager extends X509ExtendedKeyManager {
  private static final String ALIAS = "node";
  private final AtomicReference<Material> current;

  NodeKeyManager(Material initial) {
    current = new AtomicReference<>(initial);
  }

  void update(Material m) {
    current.set(m);
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
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return new String[] {ALIAS};
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return null;
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return new X509Certificate[] {current.get().certificate()};
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return current.get().key();
  }
}
