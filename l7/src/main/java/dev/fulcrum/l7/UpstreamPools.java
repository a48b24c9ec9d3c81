package dev.fulcrum.l7;

import dev.fulcrum.lbcore.EventLoops;
import dev.fulcrum.lbcore.pool.Pool;
import dev.fulcrum.lbcore.pool.Server;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One {@link UpstreamPool} per event loop, created with the snapshot. The map is never
 * modified after construction, so every loop may read it; each pool is used by its loop only.
 */
final class UpstreamPools {

    private final Map<EventExecutor, UpstreamPool> byLoop = new IdentityHashMap<>();

    UpstreamPools(EventLoops loops) {
        for (EventLoop loop : loops.loops()) {
            byLoop.put(loop, new UpstreamPool(loop, loops.transport()));
        }
    }

    UpstreamPool forLoop(EventLoop loop) {
        UpstreamPool pool = byLoop.get(loop);
        if (pool == null) {
            throw new IllegalStateException("event loop " + loop + " is not one of this snapshot's");
        }
        return pool;
    }

    /**
     * Asks every other loop to close one idle connection to each full server of the pool: a
     * request waits for room while connections nobody uses hold it elsewhere. Each closed
     * connection frees a place and wakes a waiter.
     */
    void shedIdle(Pool pool, EventLoop asking) {
        for (UpstreamPool other : byLoop.values()) {
            if (other.loop() == asking) {
                continue;
            }
            other.loop().execute(() -> {
                for (Server server : pool.servers()) {
                    if (server.isInRotation() && !server.hasConnectionRoom()) {
                        other.closeOneIdle(server);
                    }
                }
            });
        }
    }

    /**
     * Has one idle connection to {@code server} closed on another loop, to make room for a
     * request of {@code asking} that has no queue to wait in; {@code whenDone} runs (on some
     * loop) once it is closed, or once every other loop said it had none.
     */
    void shedOneIdle(Server server, EventLoop asking, Runnable whenDone) {
        AtomicBoolean shed = new AtomicBoolean();
        AtomicInteger unanswered = new AtomicInteger(byLoop.size() - 1);
        if (unanswered.get() == 0) {
            whenDone.run();
            return;
        }
        for (UpstreamPool other : byLoop.values()) {
            if (other.loop() == asking) {
                continue;
            }
            other.loop().execute(() -> {
                boolean closing = other.idleCount(server) > 0 && shed.compareAndSet(false, true)
                        && other.closeOneIdle(server, whenDone);
                if (!closing && unanswered.decrementAndGet() == 0 && !shed.get()) {
                    whenDone.run();
                }
            });
        }
    }

    /** Closes idle connections on every loop; connections in use close when released. */
    void close() {
        byLoop.values().forEach(pool -> pool.loop().execute(pool::close));
    }
}
