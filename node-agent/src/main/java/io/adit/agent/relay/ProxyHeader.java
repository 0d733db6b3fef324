package io.adit.agent.relay;

import io.adit.agent.relay.RelaySpec.ProxyProtocol;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.handler.codec.haproxy.HAProxySSLTLV;
import io.netty.handler.codec.haproxy.HAProxyTLV;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The PROXY protocol header a server-mode relay sends its backend before any data, so the
 * backend logs who really connected: the client's address and port and the address it reached
 * (v1 and v2); with v2 also, when the client presented a certificate, the standard SSL TLV
 * (version, and the identity as CN) and two Adit TLVs in the custom range.
 */
final class ProxyHeader {
  /** v2 TLV: the client identity (UTF-8), e.g. "client1". */
  static final byte TLV_IDENTITY = (byte) 0xE0;
  /** v2 TLV: the serial of the client's certificate, lower-case hex (ASCII). */
  static final byte TLV_SERIAL = (byte) 0xE1;
  private static final byte PP2_CLIENT_SSL = 0x01;
  private static final byte PP2_CLIENT_CERT_CONN = 0x02;

  private ProxyHeader() {}

  /** The header for a connection from {@code client} to {@code local}; identity and certificate may be absent. */
  static HAProxyMessage of(ProxyProtocol version, InetSocketAddress client, InetSocketAddress local, String tlsVersion,
      String identity, X509Certificate certificate) {
    InetAddress src = unmapped(client.getAddress());
    InetAddress dst = unmapped(local.getAddress());
    boolean v4 = src instanceof Inet4Address && dst instanceof Inet4Address;
    if (!v4) {
      src = asV6(src);
      dst = asV6(dst);
    }
    HAProxyProxiedProtocol family = v4 ? HAProxyProxiedProtocol.TCP4 : HAProxyProxiedProtocol.TCP6;
    if (version == ProxyProtocol.V1) {
      return new HAProxyMessage(HAProxyProtocolVersion.V1, HAProxyCommand.PROXY, family, src.getHostAddress(),
          dst.getHostAddress(), client.getPort(), local.getPort());
    }
    List<HAProxyTLV> tlvs = new ArrayList<>();
    List<HAProxyTLV> ssl = new ArrayList<>();
    ssl.add(new HAProxyTLV(HAProxyTLV.Type.PP2_TYPE_SSL_VERSION, Unpooled.copiedBuffer(tlsVersion, StandardCharsets.US_ASCII)));
    byte bits = PP2_CLIENT_SSL;
    if (certificate != null) {
      bits |= PP2_CLIENT_CERT_CONN;
      ssl.add(new HAProxyTLV(HAProxyTLV.Type.PP2_TYPE_SSL_CN, Unpooled.copiedBuffer(identity, StandardCharsets.UTF_8)));
      tlvs.add(new HAProxyTLV(TLV_IDENTITY, Unpooled.copiedBuffer(identity, StandardCharsets.UTF_8)));
      tlvs.add(new HAProxyTLV(TLV_SERIAL, Unpooled.copiedBuffer(certificate.getSerialNumber().toString(16),
          StandardCharsets.US_ASCII)));
    }
    // verify 0: the certificate, if any, was verified (a refused one never gets this far).
    tlvs.add(0, new HAProxySSLTLV(0, bits, ssl));
    return new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.PROXY, family, src.getHostAddress(),
        dst.getHostAddress(), client.getPort(), local.getPort(), tlvs);
  }

  /** An IPv4 address carried as IPv6 ("::ffff:10.0.0.1") as plain IPv4. */
  private static InetAddress unmapped(InetAddress a) {
    if (a instanceof Inet6Address) {
      byte[] b = a.getAddress();
      boolean mapped = b[10] == (byte) 0xff && b[11] == (byte) 0xff
          && Arrays.equals(Arrays.copyOf(b, 10), new byte[10]);
      if (mapped) {
        try {
          return InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16));
        } catch (UnknownHostException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return a;
  }

  private static InetAddress asV6(InetAddress a) {
    if (a instanceof Inet6Address) {
      return a;
    }
    byte[] v6 = new byte[16];
    v6[10] = (byte) 0xff;
    v6[11] = (byte) 0xff;
    System.arraycopy(a.getAddress(), 0, v6, 12, 4);
    try {
      return Inet6Address.getByAddress(null, v6, -1);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
