package dev.fulcrum.l7;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * nginx's lingering close: a connection closed while the client may still be sending (a
 * refused request, a body that will not be read) first half-closes and reads what comes,
 * discarding it, until the client closes or a bounded time passes. Closing at once with unread
 * bytes in the socket makes the kernel send a reset, which can destroy the answer before the
 * client read it.
 */
final class LingeringClose extends ChannelInboundHandlerAdapter {

    /** Longest the connection lingers (nginx: lingering_time 30s, lingering_timeout 5s). */
    static final long LINGER_MILLIS = 5_000;

    private LingeringClose() {
    }

    /** Lingers once {@code lastWrite} is done (and closes at once if it failed). */
    static void after(ChannelFuture lastWrite) {
        Channel channel = lastWrite.channel();
        lastWrite.addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess() || !channel.isActive()) {
                channel.close();
                return;
            }
            begin(channel);
        });
    }

    private static void begin(Channel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        if (pipeline.get(HttpFrontendInitializer.PROXY) != null) {
            pipeline.replace(HttpFrontendInitializer.PROXY, "lingering-close", new LingeringClose());
        } else {
            pipeline.addLast("lingering-close", new LingeringClose());
        }
        for (String stage : HttpFrontendInitializer.LINGER_DROPS) {
            if (pipeline.get(stage) != null) {
                pipeline.remove(stage);
            }
        }
        channel.eventLoop().schedule(() -> {
            channel.close();
        }, LINGER_MILLIS, TimeUnit.MILLISECONDS);
        SslHandler tls = pipeline.get(SslHandler.class);
        ChannelFuture outputClosed = tls != null ? tls.closeOutbound() : channel.newSucceededFuture();
        outputClosed.addListener(f -> {
            if (channel instanceof DuplexChannel duplex && channel.isActive()) {
                duplex.shutdownOutput();
            }
        });
        channel.config().setAutoRead(true);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            // The client is done sending: nothing left to drain.
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
