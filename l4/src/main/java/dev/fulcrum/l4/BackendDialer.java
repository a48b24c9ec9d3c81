package dev.fulcrum.l4;

import dev.fulcrum.config.ProxyProtocol;
import dev.fulcrum.lbcore.health.PassiveHealth;
import dev.fulcrum.lbcore.pool.BalancingContext;
import dev.fulcrum.lbcore.pool.ConnectionQueue;
import dev.fulcrum.lbcore.pool.Pool;
import dev.fulcrum.lbcore.pool.Server;
import io.micrometer.core.instrument.Counter;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the backend connection of one client: picks a server, connects on the client's event
 * loop, and on failure tries once more on another server (nothing has been relayed yet, so
 * that is safe). While every server is at its {@code max_connections} the client waits in the
 * pool's queue. On success it wires the relay; when it cannot, the client is closed.
 */
final class BackendDialer {

    private static final Logger LOG = LoggerFactory.getLogger(BackendDialer.class);
    private static final int ATTEMPTS = 2;

    private final Channel client;
    private final ClientAddresses addresses;
    private final EarlyInput early;
    private final TcpTarget target;
    private final TcpPool pool;
    private final PassiveHealth passiveHealth;
    private final Class<? extends SocketChannel> channelClass;
    private final ReadMeter clientReads;
    private final BalancingContext balancing;
    private int attempts;
    private long queueDeadline;

    BackendDialer(Channel client, ClientAddresses addresses, EarlyInput early, TcpTarget target, TcpPool pool,
                  PassiveHealth passiveHealth, Class<? extends SocketChannel> channelClass, ReadMeter clientReads) {
        this.client = client;
        this.addresses = addresses;
        this.early = early;
        this.target = target;
        this.pool = pool;
        this.passiveHealth = passiveHealth;
        this.channelClass = channelClass;
        this.clientReads = clientReads;
        this.balancing = BalancingContext.ofClient(addresses.source() != null ? addresses.source()
                : client.remoteAddress());
    }

    void dial() {
        Server server = pool.pool().pick(balancing);
        if (server != null && server.tryAcquireConnection()) {
            connect(server);
        } else {
            noRoom();
        }
    }

    /** No server could take the connection now: wait in the queue if servers are only full. */
    private void noRoom() {
        Pool servers = pool.pool();
        if (!servers.hasServerInRotation()) {
            LOG.debug("listener {}: no server of {} in rotation for {}", target.listener(), servers.name(), client);
            refuse(target.meters().refusedNoServer);
            return;
        }
        ConnectionQueue queue = servers.queue();
        boolean first = queueDeadline == 0;
        if (first) {
            queueDeadline = queue.deadlineFromNow();
        }
        boolean waiting = first
                ? queue.await(client.eventLoop(), queueDeadline, this::woken, this::queueExpired)
                : queue.awaitAgain(client.eventLoop(), queueDeadline, this::woken, this::queueExpired);
        if (!waiting) {
            refuse(first ? target.meters().refusedQueueFull : target.meters().refusedQueueTimeout);
        }
    }

    /** A server connection closed somewhere: try again, or pass the wake-up on if the client left. */
    private void woken() {
        if (!client.isActive()) {
            pool.pool().queue().roomFreed();
            return;
        }
        dial();
    }

    private void queueExpired() {
        LOG.debug("listener {}: every server of {} stayed full, closing {}", target.listener(),
                pool.pool().name(), client);
        refuse(target.meters().refusedQueueTimeout);
    }

    private void refuse(Counter reason) {
        reason.increment();
        client.close();
    }

    private void connect(Server server) {
        attempts++;
        ReadMeter backendReads = ReadMeter.withAdaptiveBuffers();
        ChannelFuture connecting = new Bootstrap()
                .group(client.eventLoop())
                .channel(channelClass)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.RECVBUF_ALLOCATOR, backendReads)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        pool.connectTimeout().toMillis()))
                // The relay is added once connected; until then the pipeline holds at most the TLS to the server.
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        if (pool.tls() != null) {
                            channel.pipeline().addLast(pool.tls().newHandler(channel.alloc(),
                                    server.address().getHostString(), server.address().getPort()));
                        }
                    }
                })
                .connect(server.address());
        Channel backend = connecting.channel();
        // A relayed connection is one request for least_conn, from the connect on.
        server.beginRequest();
        // Every channel closes in the end, a failed connect included: the one place to uncount it.
        backend.closeFuture().addListener(closed -> {
            server.endRequest();
            server.releaseConnection();
        });
        connecting.addListener((ChannelFutureListener) done -> {
            if (done.isSuccess()) {
                connected(server, backend, backendReads);
            } else {
                failed(server, done.cause());
            }
        });
    }

    private void failed(Server server, Throwable cause) {
        LOG.debug("listener {}: cannot connect to {}: {}", target.listener(), server, cause.toString());
        passiveHealth.onFailure(server, cause);
        pool.meters(server).connectFailures.increment();
        if (attempts >= ATTEMPTS || !client.isActive()) {
            client.close();
            return;
        }
        Server next = another(server);
        if (next != null && next.tryAcquireConnection()) {
            connect(next);
        } else {
            client.close();
        }
    }

    /** The balancer's next choice, unless that is the server that just failed (hashing picks it again). */
    private Server another(Server failed) {
        Server next = pool.pool().pick(balancing);
        if (next != failed) {
            return next;
        }
        List<Server> servers = pool.pool().servers();
        for (int i = 1; i < servers.size(); i++) {
            Server candidate = servers.get((failed.index() + i) % servers.size());
            if (candidate.isEligible()) {
                return candidate;
            }
        }
        return null;
    }

    private void connected(Server server, Channel backend, ReadMeter backendReads) {
        if (!client.isActive()) {
            backend.close();
            return;
        }
        passiveHealth.onSuccess(server);
        ListenerMeters.ServerMeters meters = pool.meters(server);
        clientReads.countInto(meters.bytesToServer);
        backendReads.countInto(meters.bytesToClient);
        if (target.proxyProtocol() != ProxyProtocol.NONE) {
            // One header, first on the wire; the encoder releases the message and leaves.
            backend.pipeline().addLast(HAProxyMessageEncoder.INSTANCE);
            backend.write(ProxyHeaders.of(target.proxyProtocol(), addresses));
            backend.pipeline().remove(HAProxyMessageEncoder.INSTANCE);
        }
        TcpSession session = new TcpSession(client, backend);
        long idleNanos = target.idleTimeout().toNanos();
        IdleWatch.start(session, clientReads, backendReads, idleNanos);
        List<Object> held = early.takeHeld();
        boolean clientEnded = early.inputEnded();
        client.pipeline().remove(early);
        for (Object msg : held) {
            RelayHandler.relayEarly(session, backend, msg);
        }
        backend.flush();
        if (target.splice() && SpliceRelay.possible(client, backend)) {
            SpliceRelay.start(session, clientReads, backendReads);
            if (clientEnded) {
                session.inputEnded(backend);
            }
            return;
        }
        client.pipeline().addLast(new RelayHandler(session, backend));
        backend.pipeline().addLast(new RelayHandler(session, client));
        if (clientEnded) {
            session.inputEnded(backend);
        } else {
            RelayHandler.readMore(client);
        }
        RelayHandler.readMore(backend);
    }
}
