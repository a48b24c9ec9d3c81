package dev.fulcrum.lbcore;

import io.netty.channel.group.ChannelGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How a stopping listener lets its connections end: until none is left, or the deadline closes the rest. */
public final class ConnectionDrain {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionDrain.class);

    private ConnectionDrain() {
    }

    /**
     * @param stopped completes once the listener accepts no more
     * @param onStopped run once accepting stopped, before waiting (e.g. telling idle connections to close)
     * @return completes when no connection is left
     */
    public static Future<Void> drain(String listener, Future<Void> stopped, ChannelGroup connections,
                                     Duration deadline, Runnable onStopped) {
        Promise<Void> drained = GlobalEventExecutor.INSTANCE.newPromise();
        stopped.addListener(closed -> {
            LOG.info("listener {}: draining {} connections for up to {}", listener, connections.size(), deadline);
            connections.newCloseFuture().addListener(all -> drained.trySuccess(null));
            onStopped.run();
            var timer = GlobalEventExecutor.INSTANCE.schedule(() -> {
                if (!connections.isEmpty()) {
                    LOG.info("listener {}: drain deadline passed, closing {} connections", listener,
                            connections.size());
                    connections.close().addListener(all -> drained.trySuccess(null));
                }
            }, deadline.toNanos(), TimeUnit.NANOSECONDS);
            drained.addListener(done -> timer.cancel(false));
        });
        return drained;
    }
}
