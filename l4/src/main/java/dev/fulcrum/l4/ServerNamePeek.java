package dev.fulcrum.l4;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.util.concurrent.Future;

/**
 * Reads the TLS ClientHello without consuming it, takes the server name (SNI) and leaves: the
 * hello and all that follows is passed through untouched to the backend the name chooses.
 * A connection that is not TLS, or names no server, is routed as if it had no name.
 */
final class ServerNamePeek extends AbstractSniHandler<TcpPool> {

    /** A ClientHello larger than this is refused (post-quantum key shares make them a few KiB). */
    private static final int MAX_CLIENT_HELLO = 64 * 1024;

    private final TcpConnection connection;

    ServerNamePeek(TcpConnection connection, long timeoutMillis) {
        super(MAX_CLIENT_HELLO, timeoutMillis);
        this.connection = connection;
    }

    @Override
    protected Future<TcpPool> lookup(ChannelHandlerContext ctx, String hostname) {
        return ctx.executor().newSucceededFuture(connection.target().route(hostname));
    }

    @Override
    protected void onLookupComplete(ChannelHandlerContext ctx, String hostname, Future<TcpPool> future) {
        // Removing a decoder passes on what it has read: the next stage must already be there.
        connection.serverNameRead(hostname, future.getNow(), () -> ctx.pipeline().remove(this));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Handshake timeout or a ClientHello too large: the handler already closed the channel.
        ctx.close();
    }
}
