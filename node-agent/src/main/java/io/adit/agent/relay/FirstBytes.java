package io.adit.agent.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Sits before the TLS handler of a server-mode connection and shows the connection the raw
 * bytes of the first reads, so a refusal can say "client sent plaintext" or "client sent
 * nothing". The connection removes it once the handshake is over.
 */
final class FirstBytes extends ChannelInboundHandlerAdapter {
  private final Connection connection;

  FirstBytes(Connection connection) {
    this.connection = connection;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf raw) {
      connection.rawFromClient(raw);
    }
    ctx.fireChannelRead(msg);
  }
}
