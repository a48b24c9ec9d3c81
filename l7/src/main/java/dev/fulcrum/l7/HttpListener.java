package dev.fulcrum.l7;

import dev.fulcrum.config.Endpoint;
import dev.fulcrum.config.ListenerConfig;
import dev.fulcrum.config.Protocol;
import dev.fulcrum.lbcore.EventLoops;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.PromiseCombiner;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP listener socket. With epoll, one socket per event loop is bound to the same port
 * with SO_REUSEPORT, each accepting onto its own loop, so the kernel spreads connections and
 * a connection never changes thread. With NIO, one socket accepts and connections are spread
 * over the loops in turn.
 *
 * <p>Each request reads the current snapshot from the supplier, so swapping the reference
 * behind it reloads routes and pools without touching the socket.
 */
public final class HttpListener {

    private static final Logger LOG = LoggerFactory.getLogger(HttpListener.class);

    private final String name;
    private final List<Channel> channels;

    private HttpListener(String name, List<Channel> channels) {
        this.name = name;
        this.channels = List.copyOf(channels);
    }

    /**
     * Binds the listener. Call off the event loops: a bind address given as a name is resolved
     * here.
     *
     * @param snapshots the current snapshot, read once per request (e.g. {@code ref::get})
     * @return completes with the bound listener, or fails with the bind error
     */
    public static Future<HttpListener> start(ListenerConfig config, EventLoops loops, Supplier<L7Snapshot> snapshots) {
        if (config.protocol() != Protocol.HTTP) {
            throw new IllegalArgumentException("listener " + config.name() + ": protocol " + config.protocol().key()
                    + (config.protocol() == Protocol.HTTPS ? " needs TLS termination, which is not implemented yet"
                    : " is not served by the HTTP proxy"));
        }
        InetSocketAddress address = bindAddress(config.name(), config.bind());
        HttpFrontendInitializer initializer = new HttpFrontendInitializer(config.name(), "http", snapshots);
        Promise<HttpListener> promise = GlobalEventExecutor.INSTANCE.newPromise();
        if (!loops.transport().supportsReusePort() || loops.threads() == 1) {
            ChannelFuture bound = bootstrap(loops, loops.group(), loops.group(), initializer).bind(address);
            bound.addListener(f -> {
                if (f.isSuccess()) {
                    promise.setSuccess(started(config.name(), List.of(bound.channel())));
                } else {
                    promise.setFailure(f.cause());
                }
            });
            return promise;
        }
        // The first socket picks the port (the configured one, or any when 0); the others share it.
        List<EventLoop> eventLoops = loops.loops();
        ChannelFuture first = bootstrap(loops, eventLoops.get(0), eventLoops.get(0), initializer).bind(address);
        first.addListener(f -> {
            if (!f.isSuccess()) {
                promise.setFailure(f.cause());
                return;
            }
            InetSocketAddress actual = new InetSocketAddress(address.getAddress(),
                    ((InetSocketAddress) first.channel().localAddress()).getPort());
            List<Channel> channels = new ArrayList<>(List.of(first.channel()));
            List<ChannelFuture> rest = new ArrayList<>();
            for (EventLoop loop : eventLoops.subList(1, eventLoops.size())) {
                ChannelFuture next = bootstrap(loops, loop, loop, initializer).bind(actual);
                rest.add(next);
                channels.add(next.channel());
            }
            PromiseCombiner combiner = new PromiseCombiner(GlobalEventExecutor.INSTANCE);
            Promise<Void> all = GlobalEventExecutor.INSTANCE.newPromise();
            GlobalEventExecutor.INSTANCE.execute(() -> {
                rest.forEach(combiner::add);
                combiner.finish(all);
            });
            all.addListener(done -> {
                if (done.isSuccess()) {
                    promise.setSuccess(started(config.name(), channels));
                } else {
                    channels.forEach(Channel::close);
                    promise.setFailure(done.cause());
                }
            });
        });
        return promise;
    }

    private static ServerBootstrap bootstrap(EventLoops loops, EventLoopGroup acceptor, EventLoopGroup workers,
                                             HttpFrontendInitializer initializer) {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptor, workers)
                .channel(loops.transport().serverChannelClass())
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(initializer);
        if (loops.transport().supportsReusePort()) {
            bootstrap.option(EpollChannelOption.SO_REUSEPORT, true);
        }
        return bootstrap;
    }

    private static HttpListener started(String name, List<Channel> channels) {
        HttpListener listener = new HttpListener(name, channels);
        LOG.info("listener {} on {} ({} accepting socket{})", name, listener.localAddress(), channels.size(),
                channels.size() == 1 ? "" : "s");
        return listener;
    }

    private static InetSocketAddress bindAddress(String listener, Endpoint bind) {
        try {
            return new InetSocketAddress(InetAddress.getByName(bind.host()), bind.port());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("listener " + listener + ": cannot resolve bind address "
                    + bind.host(), e);
        }
    }

    public String name() {
        return name;
    }

    /** The address actually bound: with port 0 configured, the port the kernel chose. */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channels.get(0).localAddress();
    }

    /**
     * Stops accepting. Connections already accepted carry on until they end (draining them is
     * the reload logic's job).
     */
    public Future<Void> close() {
        Promise<Void> closed = GlobalEventExecutor.INSTANCE.newPromise();
        GlobalEventExecutor.INSTANCE.execute(() -> {
            PromiseCombiner combiner = new PromiseCombiner(GlobalEventExecutor.INSTANCE);
            channels.forEach(channel -> combiner.add(channel.close()));
            combiner.finish(closed);
        });
        return closed;
    }

    @Override
    public String toString() {
        return "HttpListener[" + name + " " + localAddress() + "]";
    }
}
