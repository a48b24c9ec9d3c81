package dev.fulcrum.lbcore;

import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one group of I/O threads of the process, used both to accept and to serve connections,
 * so a frontend and its backend connections share a thread and never need a lock.
 */
public final class EventLoops implements AutoCloseable {

    private static final Duration QUIET_PERIOD = Duration.ofMillis(100);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final Transport transport;
    private final MultiThreadIoEventLoopGroup group;
    private final List<EventLoop> loops;

    public EventLoops(int threads, Transport transport) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, not " + threads);
        }
        this.transport = transport;
        this.group = new MultiThreadIoEventLoopGroup(threads, new IoThreadFactory(), transport.ioHandlerFactory());
        List<EventLoop> all = new ArrayList<>(threads);
        for (EventExecutor executor : group) {
            all.add((EventLoop) executor);
        }
        this.loops = List.copyOf(all);
    }

    /** The configured worker count (absent: one per core) on the best available transport. */
    public static EventLoops create(Optional<Integer> workers) {
        return new EventLoops(workers.orElseGet(Runtime.getRuntime()::availableProcessors), Transport.select());
    }

    public Transport transport() {
        return transport;
    }

    public MultiThreadIoEventLoopGroup group() {
        return group;
    }

    /** Every event loop of the group, in a stable order. */
    public List<EventLoop> loops() {
        return loops;
    }

    public int threads() {
        return loops.size();
    }

    /** Graceful shutdown: lets queued tasks finish, then stops the threads. */
    public Future<?> shutdownGracefully() {
        return group.shutdownGracefully(QUIET_PERIOD.toMillis(), CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Shuts down and waits; call from outside the event loops only. */
    @Override
    public void close() {
        shutdownGracefully().awaitUninterruptibly(CLOSE_TIMEOUT.toMillis() * 2);
    }

    /** Names threads {@code fulcrum-io-N}; FastThreadLocalThread keeps Netty's thread locals fast. */
    private static final class IoThreadFactory implements ThreadFactory {
        private final AtomicInteger next = new AtomicInteger();

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new FastThreadLocalThread(null, task, "fulcrum-io-" + next.getAndIncrement());
            thread.setDaemon(false);
            return thread;
        }
    }
}
