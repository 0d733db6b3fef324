package io.adit.agent.relay;

import io.adit.agent.relay.Connection.Side;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;

/** The last handler of either channel of a connection: hands every event to the {@link Connection}. */
final class SideHandler extends ChannelInboundHandlerAdapter {
  private final Connection connection;
  private final Side side;

  SideHandler(Connection connection, Side side) {
    this.connection = connection;
    this.side = side;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    connection.active(side);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    connection.read(side, msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    connection.readComplete(side);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    connection.writabilityChanged(side);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == ChannelInputShutdownEvent.INSTANCE) {
      connection.inputShutdown(side, false); // TCP FIN (ALLOW_HALF_CLOSURE keeps the channel open)
    } else if (evt instanceof SslCloseCompletionEvent close && close.isSuccess()) {
      connection.inputShutdown(side, true); // TLS close_notify: the peer will send no more
    } else if (evt instanceof IdleStateEvent) {
      connection.idle();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    connection.exception(side, cause);
  }
}
