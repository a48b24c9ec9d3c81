package dev.fulcrum.health;

import dev.fulcrum.config.Durations;
import dev.fulcrum.lbcore.Transport;
import dev.fulcrum.lbcore.pool.Server;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Runs one check of a {@link Probe}: connects to the server on the given event loop, lets the
 * probe decide, bounds the whole of it (connect, handshake, response) by the check's timeout,
 * and closes the connection whatever the verdict, including when the check is cancelled.
 */
final class ProbeRunner {

    private final Bootstrap bootstrap;
    private final Probe probe;
    private final long timeoutNanos;
    private final String timedOut;

    ProbeRunner(Transport transport, Probe probe, Duration timeout) {
        this.probe = probe;
        this.timeoutNanos = timeout.toNanos();
        this.timedOut = "timed out after " + Durations.format(timeout);
        this.bootstrap = new Bootstrap()
                .channel(transport.socketChannelClass())
                // Addresses are resolved when the pools are built: never block an event loop on DNS.
                .resolver(NoopAddressResolverGroup.INSTANCE)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, Math.min(Integer.MAX_VALUE,
                        timeout.toMillis())))
                .option(ChannelOption.TCP_NODELAY, true);
    }

    /**
     * Starts a check; call on {@code loop}. The future never fails: a failed check is a result.
     * Cancelling it ends the check and closes its connection.
     */
    Future<CheckResult> run(EventLoop loop, Server server) {
        Promise<CheckResult> result = loop.newPromise();
        ChannelFuture connect = bootstrap.clone(loop)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        probe.prepare(channel.pipeline(), server, result);
                        channel.pipeline().addLast(new Tail(result));
                    }
                })
                .connect(server.address());
        ScheduledFuture<?> timer = loop.schedule(() -> result.trySuccess(CheckResult.fail(timedOut)),
                timeoutNanos, TimeUnit.NANOSECONDS);
        connect.addListener((ChannelFutureListener) connected -> {
            if (!connected.isSuccess()) {
                // Netty's connect timeout is the check's: say so the same way.
                Throwable cause = connected.cause();
                result.trySuccess(CheckResult.fail(cause instanceof ConnectTimeoutException ? timedOut
                        : Failures.describe(cause)));
            }
        });
        result.addListener(done -> {
            timer.cancel(false);
            connect.channel().close();
        });
        return result;
    }

    /**
     * The end of every probe's pipeline: fails the check on what the probe left unhandled (an
     * exception, the connection closing) and drops anything the server sent that the probe
     * did not read.
     */
    private static final class Tail extends ChannelInboundHandlerAdapter {
        private final Promise<CheckResult> result;

        Tail(Promise<CheckResult> result) {
            this.result = result;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            ReferenceCountUtil.release(message);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            ReferenceCountUtil.release(event);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            result.trySuccess(CheckResult.fail(Failures.describe(cause)));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            result.trySuccess(CheckResult.fail("connection closed"));
        }
    }
}
