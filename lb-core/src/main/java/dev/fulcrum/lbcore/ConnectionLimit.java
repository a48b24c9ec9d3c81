package dev.fulcrum.lbcore;

import dev.fulcrum.lbcore.metrics.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listener's {@code max_connections}: the first handler of every accepted connection counts it
 * and closes it at once when the listener already holds its cap, then leaves the pipeline.
 * Refusing beats pausing accepts here: a client learns at once, and the count is exact across
 * the listener's sockets (one per event loop).
 */
@ChannelHandler.Sharable
public final class ConnectionLimit extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimit.class);

    private final String listener;
    private final int max;
    private final AtomicInteger open = new AtomicInteger();
    private final Counter refused;

    public ConnectionLimit(String listener, int max, MeterRegistry registry) {
        if (max < 1) {
            throw new IllegalArgumentException("listener " + listener + ": a connection limit must be at least 1");
        }
        this.listener = listener;
        this.max = max;
        this.refused = refusedCounter(registry, listener, MetricNames.REFUSED_MAX_CONNECTIONS);
    }

    /** The counter of connections a listener refused for that reason. */
    public static Counter refusedCounter(MeterRegistry registry, String listener, String reason) {
        return Counter.builder(MetricNames.LISTENER_REFUSED).tag(MetricNames.TAG_LISTENER, listener)
                .tag(MetricNames.TAG_REASON, reason).description("client connections closed without being served")
                .register(registry);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.pipeline().remove(this);
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            refused.increment();
            LOG.debug("listener {}: at max_connections {}, refusing {}", listener, max, ctx.channel());
            ctx.close();
            return;
        }
        ctx.channel().closeFuture().addListener(closed -> open.decrementAndGet());
        ctx.fireChannelActive();
    }

    /** Connections this listener holds now. */
    public int open() {
        return open.get();
    }
}
