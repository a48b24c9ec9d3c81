package dev.fulcrum.lbcore;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;

/** Makes the handler that speaks TLS to a server of a pool with {@code tls:} (SNI and verification included). */
@FunctionalInterface
public interface UpstreamTlsDialer {

    /** @param host the server's configured host: the default SNI name and the name verified */
    ChannelHandler newHandler(ByteBufAllocator alloc, String host, int port);
}
