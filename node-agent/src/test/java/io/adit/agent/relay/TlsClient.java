package io.adit.agent.relay;

import io.adit.agent.tls.TestPki;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A blocking JDK TLS client for tests: presents its certificate whatever CAs the server names
 * (as a misconfigured or hostile client would), sends SNI and checks the server name.
 */
final class TlsClient {
  private TlsClient() {}

  static final int READ_TIMEOUT_MILLIS = 10_000;

  /** Connects to loopback:{@code port} with SNI {@code serverName} and completes the handshake. */
  static SSLSocket connect(int port, TestPki.Ca trusted, TestPki.Leaf cert, String serverName) throws IOException {
    return connect(port, trusted, cert, serverName, "TLSv1.3");
  }

  static SSLSocket connect(int port, TestPki.Ca trusted, TestPki.Leaf cert, String serverName, String protocol)
      throws IOException {
    return over(plainSocket(port), trusted, cert, serverName, protocol);
  }

  static Socket plainSocket(int port) throws IOException {
    Socket plain = new Socket();
    plain.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), READ_TIMEOUT_MILLIS);
    plain.setSoTimeout(READ_TIMEOUT_MILLIS);
    return plain;
  }

  /**
   * TLS over an already connected socket; {@code plain.shutdownOutput()} then ends the stream
   * with a bare FIN, as ncat does, where {@code SSLSocket.shutdownOutput()} sends close_notify.
   */
  static SSLSocket over(Socket plain, TestPki.Ca trusted, TestPki.Leaf cert, String serverName, String protocol)
      throws IOException {
    int port = plain.getPort();
    SSLSocket tls = (SSLSocket) context(trusted, cert).getSocketFactory().createSocket(plain, serverName, port, true);
    SSLParameters params = tls.getSSLParameters();
    params.setProtocols(new String[] {protocol});
    params.setServerNames(List.of(new SNIHostName(serverName)));
    params.setEndpointIdentificationAlgorithm("HTTPS");
    tls.setSSLParameters(params);
    tls.setSoTimeout(READ_TIMEOUT_MILLIS);
    tls.startHandshake();
    return tls;
  }

  static SSLContext context(TestPki.Ca trusted, TestPki.Leaf cert) {
    try {
      KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
      anchors.load(null, null);
      anchors.setCertificateEntry("ca", trusted.cert());
      TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
      tmf.init(anchors);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(cert == null ? null : new KeyManager[] {new FixedKeyManager(cert.key(), cert.cert())},
          tmf.getTrustManagers(), new SecureRandom());
      return ctx;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes {@code text}, reads the same number of bytes back. */
  static String roundTrip(Socket socket, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
    return new String(socket.getInputStream().readNBytes(bytes.length), StandardCharsets.UTF_8);
  }

  /** Everything until end of stream (bounded by the read timeout). */
  static String readAll(Socket socket) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    socket.getInputStream().transferTo(out);
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * Whether the server ended the connection: end of stream or an error, as opposed to a read
   * that times out while the connection stays up.
   */
  static boolean endedByServer(Socket socket) {
    try {
      InputStream in = socket.getInputStream();
      byte[] buf = new byte[256];
      for (int i = 0; i < 100; i++) {
        if (in.read(buf) < 0) {
          return true;
        }
      }
      return false;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  /** Presents one certificate, whatever the server asks for. */
  private static final class FixedKeyManager extends X509ExtendedKeyManager {
    private final PrivateKey key;
    private final X509Certificate cert;

    FixedKeyManager(PrivateKey key, X509Certificate cert) {
      this.key = key;
      this.cert = cert;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
      return "me";
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return "me";
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return new String[] {"me"};
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return new String[0];
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return new X509Certificate[] {cert};
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return key;
    }
  }
}
