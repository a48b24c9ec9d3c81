package dev.fulcrum.l7;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import java.util.function.Consumer;

/**
 * On an https listener, puts the stages of the protocol the TLS handshake agreed on (ALPN)
 * after itself: h2, or HTTP/1.1 for a client that asked for it or named nothing. It holds
 * back channelActive until then, as the chosen stages start on it.
 */
final class AlpnSwitch extends ApplicationProtocolNegotiationHandler {

    private final Consumer<ChannelHandlerContext> http1;
    private final Consumer<ChannelHandlerContext> http2;

    AlpnSwitch(Consumer<ChannelHandlerContext> http1, Consumer<ChannelHandlerContext> http2) {
        super(ApplicationProtocolNames.HTTP_1_1);
        this.http1 = http1;
        this.http2 = http2;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // The handshake needs reads (the socket does not read by itself).
        ctx.read();
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            http2.accept(ctx);
        } else {
            http1.accept(ctx);
        }
        ctx.fireChannelActive();
    }
}
