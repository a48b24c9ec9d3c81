package dev.fulcrum.lbcore;

import dev.fulcrum.config.Endpoint;
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
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accepting sockets of one listener, whatever it speaks. With epoll and several loops,
 * one socket per event loop shares the port with SO_REUSEPORT, so a connection is accepted on,
 * and stays on, one thread together with its backend connection; otherwise one socket accepts
 * and spreads connections over the loops.
 */
public final class ListeningSockets {

    private static final Logger LOG = LoggerFactory.getLogger(ListeningSockets.class);
    private static final int BACKLOG = 1024;

    private final List<Channel> channels;

    private ListeningSockets(List<Channel> channels) {
        this.channels = List.copyOf(channels);
    }

    /**
     * Binds. Call off the event loops: a bind address given as a name is resolved here.
     *
     * @param children adds the child handler and any child options beyond the common ones
     *     (autoRead off, TCP_NODELAY)
     * @param listenerOf makes the listener object that owns the bound sockets
     * @return completes with that listener once every socket listens, or fails with the bind
     *     error (no socket left open)
     */
    public static <T> Future<T> bind(EventLoops loops, String listener, Endpoint bind,
                                     Consumer<ServerBootstrap> children, Function<ListeningSockets, T> listenerOf) {
        InetSocketAddress address = resolve(listener, bind);
        Promise<ListeningSockets> bound = GlobalEventExecutor.INSTANCE.newPromise();
        boolean perLoop = loops.transport().supportsReusePort() && loops.threads() > 1;
        EventLoopGroup firstAcceptor = perLoop ? loops.loops().get(0) : loops.group();
        ChannelFuture first = bootstrap(loops, firstAcceptor, children).bind(address);
        first.addListener(f -> {
            if (!f.isSuccess()) {
                bound.setFailure(f.cause());
            } else if (!perLoop) {
                bound.setSuccess(new ListeningSockets(List.of(first.channel())));
            } else {
                bindSiblings(loops, children, first.channel(), address, bound);
            }
        });
        Promise<T> started = GlobalEventExecutor.INSTANCE.newPromise();
        bound.addListener(f -> {
            if (!f.isSuccess()) {
                started.setFailure(f.cause());
                return;
            }
            ListeningSockets sockets = bound.getNow();
            LOG.info("listener {} on {} ({} accepting socket{})", listener, sockets.localAddress(), sockets.count(),
                    sockets.count() == 1 ? "" : "s");
            started.setSuccess(listenerOf.apply(sockets));
        });
        return started;
    }

    /** The first socket chose the port (configured, or any for 0); one more socket per other loop shares it. */
    private static void bindSiblings(EventLoops loops, Consumer<ServerBootstrap> children, Channel first,
                                     InetSocketAddress address, Promise<ListeningSockets> promise) {
        InetSocketAddress actual = new InetSocketAddress(address.getAddress(),
                ((InetSocketAddress) first.localAddress()).getPort());
        List<Channel> channels = new ArrayList<>(List.of(first));
        List<ChannelFuture> binds = new ArrayList<>();
        List<EventLoop> all = loops.loops();
        for (EventLoop loop : all.subList(1, all.size())) {
            ChannelFuture bound = bootstrap(loops, loop, children).bind(actual);
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
                promise.setSuccess(new ListeningSockets(channels));
            } else {
                channels.forEach(Channel::close);
                promise.setFailure(done.cause());
            }
        });
    }

    private static ServerBootstrap bootstrap(EventLoops loops, EventLoopGroup acceptor,
                                             Consumer<ServerBootstrap> children) {
        // With SO_REUSEPORT the acceptor is a single loop, so its children stay on it.
        EventLoopGroup workers = acceptor instanceof EventLoop ? acceptor : loops.group();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptor, workers)
                .channel(loops.transport().serverChannelClass())
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, BACKLOG)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true);
        if (loops.transport().supportsReusePort()) {
            bootstrap.option(EpollChannelOption.SO_REUSEPORT, true);
        }
        children.accept(bootstrap);
        return bootstrap;
    }

    private static InetSocketAddress resolve(String listener, Endpoint bind) {
        try {
            return new InetSocketAddress(InetAddress.getByName(bind.host()), bind.port());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("listener " + listener + ": cannot resolve bind address "
                    + bind.host(), e);
        }
    }

    /** The address actually bound: with port 0 configured, the port the kernel chose. */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channels.get(0).localAddress();
    }

    public int count() {
        return channels.size();
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
}
