package dev.fulcrum.l4;

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
 * A tcp listener socket. With epoll, one socket per event loop shares the port with
 * SO_REUSEPORT so a connection is accepted on, and stays on, one thread together with its
 * backend connection; with NIO one socket accepts and spreads connections over the loops.
 *
 * <p>Each connection reads the current snapshot once, so swapping the reference behind the
 * supplier changes pools for new connections while open ones carry on.
 */
public final class TcpListener {

    private static final Logger LOG = LoggerFactory.getLogger(TcpListener.class);

    private final String name;
    private final List<Channel> channels;

    private TcpListener(String name, List<Channel> channels) {
        this.name = name;
        this.channels = List.copyOf(channels);
    }

    /**
     * Binds the listener. Call off the event loops: a bind address given as a name is resolved here.
     *
     * @param snapshots the current snapshot, read once per connection (e.g. {@code ref::get})
     * @return completes with the bound listener, or fails with the bind error
     * @throws IllegalArgumentException for a listener this module cannot serve yet
     */
    public static Future<TcpListener> start(ListenerConfig config, EventLoops loops, Supplier<L4Snapshot> snapshots) {
        if (config.protocol() != Protocol.TCP) {
            throw new IllegalArgumentException("listener " + config.name() + ": protocol " + config.protocol().key()
                    + " is not served by the TCP proxy");
        }
        if (!config.routes().isEmpty()) {
            throw new IllegalArgumentException("listener " + config.name()
                    + ": routes on sni are not implemented yet; use pool");
        }
        if (config.pool().isEmpty()) {
            throw new IllegalArgumentException("listener " + config.name() + ": a tcp listener needs a pool");
        }
        InetSocketAddress address = bindAddress(config.name(), config.bind());
        FrontendHandler frontend = new FrontendHandler(config.name(), snapshots, loops.transport().socketChannelClass());
        Promise<TcpListener> promise = GlobalEventExecutor.INSTANCE.newPromise();
        boolean reusePort = loops.transport().supportsReusePort() && loops.threads() > 1;
        EventLoopGroup firstAcceptor = reusePort ? loops.loops().get(0) : loops.group();
        ChannelFuture first = bootstrap(loops, firstAcceptor, frontend).bind(address);
        first.addListener(f -> {
            if (!f.isSuccess()) {
                promise.setFailure(f.cause());
                return;
            }
            if (!reusePort) {
                promise.setSuccess(started(config.name(), List.of(first.channel())));
                return;
            }
            bindSiblings(loops, frontend, first.channel(), address, promise, config.name());
        });
        return promise;
    }

    /** The first socket chose the port (configured, or any for 0); one more socket per other loop shares it. */
    private static void bindSiblings(EventLoops loops, FrontendHandler frontend, Channel first,
                                     InetSocketAddress address, Promise<TcpListener> promise, String name) {
        InetSocketAddress actual = new InetSocketAddress(address.getAddress(),
                ((InetSocketAddress) first.localAddress()).getPort());
        List<Channel> channels = new ArrayList<>(List.of(first));
        List<ChannelFuture> binds = new ArrayList<>();
        List<EventLoop> all = loops.loops();
        for (EventLoop loop : all.subList(1, all.size())) {
            ChannelFuture bound = bootstrap(loops, loop, frontend).bind(actual);
            binds.add(bound);
            channels.add(bound.channel());
        }
        Promise<Void> allBound = GlobalEventExecutor.INSTANCE.newPromise();
        GlobalEventExecutor.INSTANCE.execute(() -> {
            PromiseCombiner combiner = new PromiseCombiner(GlobalEventExecutor.INSTANCE);
            binds.forEach(combiner::add);
            combiner.finish(allBound);
        });
        allBound.addListener(done -> {
            if (done.isSuccess()) {
                promise.setSuccess(started(name, channels));
            } else {
                channels.forEach(Channel::close);
                promise.setFailure(done.cause());
            }
        });
    }

    private static ServerBootstrap bootstrap(EventLoops loops, EventLoopGroup acceptor, FrontendHandler frontend) {
        // With SO_REUSEPORT the acceptor is a single loop, so its children stay on it.
        EventLoopGroup workers = acceptor instanceof EventLoop ? acceptor : loops.group();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptor, workers)
                .channel(loops.transport().serverChannelClass())
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(frontend);
        if (loops.transport().supportsReusePort()) {
            bootstrap.option(EpollChannelOption.SO_REUSEPORT, true);
        }
        return bootstrap;
    }

    private static TcpListener started(String name, List<Channel> channels) {
        TcpListener listener = new TcpListener(name, channels);
        LOG.info("tcp listener {} on {} ({} accepting socket{})", name, listener.localAddress(), channels.size(),
                channels.size() == 1 ? "" : "s");
        return listener;
    }

    private static InetSocketAddress bindAddress(String listener, Endpoint bind) {
        try {
            return new InetSocketAddress(InetAddress.getByName(bind.host()), bind.port());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("listener " + listener + ": cannot resolve bind address " + bind.host(), e);
        }
    }

    public String name() {
        return name;
    }

    /** The address actually bound: with port 0 configured, the port the kernel chose. */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channels.get(0).localAddress();
    }

    /** Stops accepting. Connections already accepted carry on until they end. */
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
        return "TcpListener[" + name + " " + localAddress() + "]";
    }
}
