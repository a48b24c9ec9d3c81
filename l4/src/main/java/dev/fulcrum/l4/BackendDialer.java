package dev.fulcrum.l4;

import dev.fulcrum.config.ProxyProtocol;
import dev.fulcrum.lbcore.health.PassiveHealth;
import dev.fulcrum.lbcore.pool.BalancingContext;
import dev.fulcrum.lbcore.pool.Pool;
import dev.fulcrum.lbcore.pool.Server;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the backend connection of one client: picks a server, connects on the client's event
 * loop, and on failure tries once more on another server (nothing has been relayed yet, so
 * that is safe). On success it wires the relay; when both attempts fail the client is closed.
 */
final class BackendDialer {

    private static final Logger LOG = LoggerFactory.getLogger(BackendDialer.class);
    private static final int ATTEMPTS = 2;

    private final Channel client;
    private final EarlyInput early;
    private final TcpTarget target;
    private final PassiveHealth passiveHealth;
    private final Class<? extends SocketChannel> channelClass;
    private int attempts;

    BackendDialer(Channel client, EarlyInput early, TcpTarget target, PassiveHealth passiveHealth,
                  Class<? extends SocketChannel> channelClass) {
        this.client = client;
        this.early = early;
        this.target = target;
        this.passiveHealth = passiveHealth;
        this.channelClass = channelClass;
    }

    void dial() {
        attempt(target.pool().pick(BalancingContext.ofClient(client.remoteAddress())));
    }

    private void attempt(Server server) {
        if (server == null || !server.tryAcquireConnection()) {
            LOG.debug("listener {}: no server available for {}", target.listener(), client);
            client.close();
            return;
        }
        attempts++;
        ChannelFuture connecting = new Bootstrap()
                .group(client.eventLoop())
                .channel(channelClass)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        target.connectTimeout().toMillis()))
                // The relay is added once connected; until then the pipeline has nothing to do.
                .handler(new ChannelInboundHandlerAdapter())
                .connect(server.address());
        Channel backend = connecting.channel();
        // Every channel closes in the end, a failed connect included: the one place to uncount it.
        backend.closeFuture().addListener(closed -> server.releaseConnection());
        connecting.addListener((ChannelFutureListener) done -> {
            if (done.isSuccess()) {
                connected(server, backend);
            } else {
                failed(server, done.cause());
            }
        });
    }

    private void failed(Server server, Throwable cause) {
        LOG.debug("listener {}: cannot connect to {}: {}", target.listener(), server, cause.toString());
        passiveHealth.onFailure(server, cause);
        target.meters().server(server).connectFailures.increment();
        if (attempts < ATTEMPTS && client.isActive()) {
            attempt(another(server));
        } else {
            client.close();
        }
    }

    /** The balancer's next choice, unless that is the server that just failed (hashing picks it again). */
    private Server another(Server failed) {
        Pool pool = target.pool();
        Server next = pool.pick(BalancingContext.ofClient(client.remoteAddress()));
        if (next != failed) {
            return next;
        }
        List<Server> servers = pool.servers();
        for (int i = 1; i < servers.size(); i++) {
            Server candidate = servers.get((failed.index() + i) % servers.size());
            if (candidate.isEligible()) {
                return candidate;
            }
        }
        return null;
    }

    private void connected(Server server, Channel backend) {
        if (!client.isActive()) {
            backend.close();
            return;
        }
        passiveHealth.onSuccess(server);
        if (target.proxyProtocol() != ProxyProtocol.NONE) {
            // One header, first on the wire; the encoder releases the message and leaves.
            backend.pipeline().addLast(HAProxyMessageEncoder.INSTANCE);
            backend.write(ProxyHeaders.of(target.proxyProtocol(), client));
            backend.pipeline().remove(HAProxyMessageEncoder.INSTANCE);
        }
        TcpSession session = new TcpSession(client, backend);
        ListenerMeters.ServerMeters meters = target.meters().server(server);
        long idleMillis = target.idleTimeout().toMillis();
        if (idleMillis > 0) {
            // Every byte either way is read or written on the client channel, so one handler sees all traffic.
            client.pipeline().addLast(new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS));
        }
        List<Object> held = early.takeHeld();
        boolean clientEnded = early.inputEnded();
        client.pipeline().remove(early);
        RelayHandler toServer = new RelayHandler(session, backend, meters.bytesToServer);
        client.pipeline().addLast(toServer);
        backend.pipeline().addLast(new RelayHandler(session, client, meters.bytesToClient));
        for (Object msg : held) {
            toServer.relayEarly(msg);
        }
        backend.flush();
        if (clientEnded) {
            session.inputEnded(backend);
        } else {
            RelayHandler.readMore(client);
        }
        RelayHandler.readMore(backend);
    }
}
