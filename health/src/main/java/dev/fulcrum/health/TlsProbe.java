package dev.fulcrum.health;

import dev.fulcrum.lbcore.pool.Server;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import java.util.Optional;

/**
 * A TLS handshake with the server, sending the configured server name (SNI) if any. Alone
 * (a tls check) it passes when the handshake completes; under an HTTP probe (https) it only
 * fails a check whose handshake fails, and the HTTP exchange decides the rest.
 */
final class TlsProbe implements Probe {

    private final SslContext context;
    private final Optional<String> sni;
    private final long handshakeTimeoutMillis;
    private final boolean passOnHandshake;

    /**
     * @param context from {@link HealthCheckTls#clientContext()}
     * @param passOnHandshake true for a tls check; false when an HTTP exchange follows
     */
    TlsProbe(SslContext context, Optional<String> sni, Duration timeout, boolean passOnHandshake) {
        this.context = context;
        this.sni = sni;
        this.handshakeTimeoutMillis = Math.max(1, timeout.toMillis());
        this.passOnHandshake = passOnHandshake;
    }

    @Override
    public void prepare(ChannelPipeline pipeline, Server server, Promise<CheckResult> result) {
        SslHandler ssl = sni.isPresent()
                ? context.newHandler(pipeline.channel().alloc(), sni.get(), server.address().getPort())
                : context.newHandler(pipeline.channel().alloc());
        // The check's own timeout bounds the handshake too; this only keeps SslHandler's
        // default (10s) from failing a check allowed to take longer.
        ssl.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
        pipeline.addLast(ssl).addLast(new HandshakeCheck(result, passOnHandshake));
    }

    /** Turns the outcome of the handshake into a verdict. */
    private static final class HandshakeCheck extends ChannelInboundHandlerAdapter {
        private final Promise<CheckResult> result;
        private final boolean passOnHandshake;
        private boolean handshaken;

        HandshakeCheck(Promise<CheckResult> result, boolean passOnHandshake) {
            this.result = result;
            this.passOnHandshake = passOnHandshake;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof SslHandshakeCompletionEvent handshake) {
                if (handshake.isSuccess()) {
                    handshaken = true;
                    if (passOnHandshake) {
                        result.trySuccess(CheckResult.PASS);
                    }
                } else {
                    failHandshake(handshake.cause());
                }
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!handshaken) {
                failHandshake(cause);
            }
            ctx.fireExceptionCaught(cause);
        }

        private void failHandshake(Throwable cause) {
            result.trySuccess(CheckResult.fail("TLS handshake failed: " + Failures.describe(cause)));
        }
    }
}
