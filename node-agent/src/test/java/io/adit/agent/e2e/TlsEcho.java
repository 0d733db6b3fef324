package io.adit.agent.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/** A TLS (or plain) connection to a relay with an echo backend behind it: send a line, read it back. */
final class TlsEcho implements AutoCloseable {
  private final java.net.Socket socket;

  private TlsEcho(java.net.Socket socket) {
    this.socket = socket;
  }

  static TlsEcho tls(int port, String serverName, List<X509Certificate> trust, PrivateKey key, X509Certificate cert)
      throws Exception {
    KeyStore ts = KeyStore.getInstance("PKCS12");
    ts.load(null, null);
    for (int i = 0; i < trust.size(); i++) {
      ts.setCertificateEntry("ca" + i, trust.get(i));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ts);
    KeyManagerFactory kmf = null;
    if (key != null) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("me", key, new char[0], new X509Certificate[] {cert});
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, new char[0]);
    }
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket();
    SSLParameters params = s.getSSLParameters();
    params.setServerNames(List.of(new SNIHostName(serverName)));
    params.setEndpointIdentificationAlgorithm("HTTPS");
    s.setSSLParameters(params);
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    s.setSoTimeout(10_000);
    s.startHandshake();
    return new TlsEcho(s);
  }

  static TlsEcho plain(int port) throws IOException {
    java.net.Socket s = new java.net.Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    s.setSoTimeout(10_000);
    return new TlsEcho(s);
  }

  /** Sends {@code line} and reads as many bytes back. */
  String echo(String line) throws IOException {
    byte[] out = (line + "\n").getBytes(StandardCharsets.UTF_8);
    OutputStream os = socket.getOutputStream();
    os.write(out);
    os.flush();
    InputStream in = socket.getInputStream();
    byte[] back = in.readNBytes(out.length);
    return new String(back, StandardCharsets.UTF_8).strip();
  }

  /** Waits at most this long for each read (10 s by default). */
  TlsEcho readTimeout(java.time.Duration d) throws IOException {
    socket.setSoTimeout((int) d.toMillis());
    return this;
  }

  /** Reads one line the backend sent by itself. */
  String readLine() throws IOException {
    StringBuilder b = new StringBuilder();
    InputStream in = socket.getInputStream();
    for (int c = in.read(); c != -1 && c != '\n' && b.length() < 1000; c = in.read()) {
      b.append((char) c);
    }
    return b.toString();
  }

  /** The client-side port, as a PROXY header names it. */
  int localPort() {
    return socket.getLocalPort();
  }

  /** Whether the relay closes the connection within {@code d}, with nothing sent by either side. */
  boolean closedWithin(java.time.Duration d) throws IOException {
    socket.setSoTimeout((int) d.toMillis());
    try {
      return socket.getInputStream().read() == -1;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (java.net.SocketException e) {
      return true; // reset: closed too
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
