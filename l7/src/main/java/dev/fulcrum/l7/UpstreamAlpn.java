package dev.fulcrum.l7;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import java.util.function.Consumer;

/**
 * A connection of an {@code auto} pool: once the TLS handshake is done, the stages of the
 * protocol the server chose by ALPN (h2, else HTTP/1.1, also for a server that chose nothing).
 */
final class UpstreamAlpn extends ApplicationProtocolNegotiationHandler {

    private final Consumer<ChannelPipeline> http1;
    private final Consumer<ChannelPipeline> http2;

    UpstreamAlpn(Consumer<ChannelPipeline> http1, Consumer<ChannelPipeline> http2) {
        super(ApplicationProtocolNames.HTTP_1_1);
        this.http1 = http1;
        this.http2 = http2;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // The handshake needs reads: these sockets do not read by themselves.
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            http2.accept(ctx.pipeline());
        } else {
            http1.accept(ctx.pipeline());
        }
    }
}
