package io.adit.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.api.v1.ServiceSpec;
import io.adit.api.v1.Verify;
import io.adit.common.pki.Keys;
import io.adit.testing.EtcdExtension;
import io.adit.testing.Tools;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxySSLTLV;
import io.netty.handler.codec.haproxy.HAProxyTLV;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PROXY protocol, as a backend behind a relay sees it: the header comes first, names the
 * real client's address and port, and (v2) who the client is and which certificate it used.
 * The backend parses it with Netty's decoder, a maintained implementation of the spec.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProxyProtocolIT {
  @RegisterExtension
  static final EtcdExtension etcd = new EtcdExtension();

  @TempDir
  static Path dir;

  static Cluster cluster;

  /** Reads the PROXY header (v1 line or v2 block), keeps its bytes, then echoes the rest. */
  static final class HeaderEcho implements AutoCloseable {
    final ServerSocket server;
    final BlockingQueue<byte[]> headers = new ArrayBlockingQueue<>(10);

    HeaderEcho() throws IOException {
      server = new ServerSocket();
      server.bind(new InetSocketAddress("127.0.0.1", 0));
      Thread t = new Thread(this::serve, "header-echo");
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return server.getLocalPort();
    }

    private void serve() {
      while (!server.isClosed()) {
        try (Socket s = server.accept()) {
          s.setSoTimeout(10_000);
          DataInputStream in = new DataInputStream(s.getInputStream());
          headers.add(readHeader(in));
          byte[] buf = new byte[1024];
          for (int n = in.read(buf); n > 0; n = in.read(buf)) {
            s.getOutputStream().write(buf, 0, n);
            s.getOutputStream().flush();
          }
        } catch (IOException e) {
          // the client left, or the test is over
        }
      }
    }

    private static byte[] readHeader(DataInputStream in) throws IOException {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int first = in.read();
      out.write(first);
      if (first == 'P') { // v1: a text line ending in CRLF, at most 107 bytes
        for (int c = in.read(); c != -1 && out.size() < 107; c = in.read()) {
          out.write(c);
          if (c == '\n') {
            break;
          }
        }
        return out.toByteArray();
      }
      byte[] fixed = new byte[15]; // v2: 16-byte fixed part, the last two bytes the length of the rest
      in.readFully(fixed);
      out.write(fixed);
      byte[] rest = new byte[((fixed[13] & 0xff) << 8) | (fixed[14] & 0xff)];
      in.readFully(rest);
      out.write(rest);
      return out.toByteArray();
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  static HeaderEcho v1Backend;
  static HeaderEcho v2Backend;

  @BeforeAll
  static void start() throws Exception {
    v1Backend = new HeaderEcho();
    v2Backend = new HeaderEcho();
    cluster = new Cluster(etcd.endpoints(), dir, null);
    cluster.agent("node1");
  }

  @AfterAll
  static void stop() throws IOException {
    if (cluster != null) {
      cluster.close();
    }
    v1Backend.close();
    v2Backend.close();
  }

  static HAProxyMessage decode(byte[] header) {
    EmbeddedChannel ch = new EmbeddedChannel(new HAProxyMessageDecoder());
    ch.writeInbound(Unpooled.wrappedBuffer(header));
    HAProxyMessage m = ch.readInbound();
    ch.finishAndReleaseAll();
    return m;
  }

  static String text(ByteBuf b) {
    return b.toString(StandardCharsets.UTF_8);
  }

  @Test
  void v1NamesTheClientsAddressAndPortBeforeItsData() throws Exception {
    int port = Tools.freePort();
    cluster.create(ServiceSpec.newBuilder().setName("logs-v1").setAccept("127.0.0.1:" + port)
        .addConnect("127.0.0.1:" + v1Backend.port()).addNodes("node1").setVerify(Verify.VERIFY_NONE).setProxyProtocol("v1"));
    cluster.await("logs-v1", "node1", "Listening");

    try (TlsEcho c = TlsEcho.tls(port, "logs-v1", cluster.trust, null, null)) {
      assertThat(c.echo("data after the header")).isEqualTo("data after the header");
      byte[] header = v1Backend.headers.poll(10, TimeUnit.SECONDS);
      assertThat(new String(header, StandardCharsets.US_ASCII))
          .isEqualTo("PROXY TCP4 127.0.0.1 127.0.0.1 " + c.localPort() + " " + port + "\r\n");
    }
  }

  @Test
  void v2AlsoCarriesTheClientIdentityAndCertificateSerial() throws Exception {
    Cluster.Credential client1 = cluster.client("client1");
    int port = Tools.freePort();
    cluster.create(ServiceSpec.newBuilder().setName("logs-v2").setAccept("127.0.0.1:" + port)
        .addConnect("127.0.0.1:" + v2Backend.port()).addNodes("node1").addAllow("client1").setProxyProtocol("v2"));
    cluster.await("logs-v2", "node1", "Listening");

    try (TlsEcho c = TlsEcho.tls(port, "logs-v2", cluster.trust, client1.key(), client1.cert())) {
      assertThat(c.echo("hello")).isEqualTo("hello");
      HAProxyMessage m = decode(v2Backend.headers.poll(10, TimeUnit.SECONDS));
      try {
        assertThat(m.protocolVersion()).isEqualTo(HAProxyProtocolVersion.V2);
        assertThat(m.sourceAddress()).isEqualTo("127.0.0.1");
        assertThat(m.sourcePort()).isEqualTo(c.localPort());
        assertThat(m.destinationPort()).isEqualTo(port);
        Map<Byte, String> custom = m.tlvs().stream().filter(t -> !(t instanceof HAProxySSLTLV))
            .collect(Collectors.toMap(HAProxyTLV::typeByteValue, t -> text(t.content())));
        assertThat(custom).containsEntry((byte) 0xE0, "client1").containsEntry((byte) 0xE1, Keys.serialHex(client1.cert()));
        HAProxySSLTLV ssl = (HAProxySSLTLV) m.tlvs().stream().filter(t -> t instanceof HAProxySSLTLV).findFirst().orElseThrow();
        assertThat(ssl.isPP2ClientSSL()).isTrue();
        assertThat(ssl.isPP2ClientCertConn()).isTrue();
        assertThat(ssl.verify()).isZero();
        assertThat(ssl.encapsulatedTLVs()).anySatisfy(t -> {
          assertThat(t.type()).isEqualTo(HAProxyTLV.Type.PP2_TYPE_SSL_CN);
          assertThat(text(t.content())).isEqualTo("client1");
        });
      } finally {
        m.release();
      }
    }
  }
}
