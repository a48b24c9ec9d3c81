package dev.fulcrum.l4;

import dev.fulcrum.lbcore.health.PassiveHealth;
import io.micrometer.core.instrument.Counter;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An accepted client connection on its way to a backend: it reads a PROXY header first when
 * the peer is a trusted balancer, then the TLS server name when the listener routes by it, and
 * then dials the chosen pool. Each step is a handler that leaves the pipeline when done, and the
 * client's reads stay paused between steps.
 */
final class TcpConnection {

    private static final Logger LOG = LoggerFactory.getLogger(TcpConnection.class);

    /** Longest wait for a PROXY header or a ClientHello before the connection is closed. */
    static final long INSPECT_TIMEOUT_MILLIS = 10_000;

    private final Channel client;
    private final TcpTarget target;
    private final PassiveHealth passiveHealth;
    private final Class<? extends SocketChannel> channelClass;
    private final ReadMeter clientReads;
    private ClientAddresses addresses;
    private ScheduledFuture<?> headerTimer;
    private boolean refused;

    TcpConnection(Channel client, TcpTarget target, PassiveHealth passiveHealth,
                  Class<? extends SocketChannel> channelClass, ReadMeter clientReads) {
        this.client = client;
        this.target = target;
        this.passiveHealth = passiveHealth;
        this.channelClass = channelClass;
        this.clientReads = clientReads;
        this.addresses = ClientAddresses.of(client);
    }

    TcpTarget target() {
        return target;
    }

    void start(ChannelHandlerContext ctx) {
        if (client.pipeline().get(SslHandler.class) != null || client.pipeline().get(SniHandler.class) != null) {
            // TLS ends here: the handshake reads by itself once started; the relay carries plain bytes.
            dial(target.pool(), () -> { });
            client.read();
            return;
        }
        if (target.expectsProxyHeader(addresses.source())) {
            headerTimer = client.eventLoop().schedule(() -> {
                LOG.debug("{}: no PROXY header within {} ms", client, INSPECT_TIMEOUT_MILLIS);
                refuseBadProxyHeader();
            }, INSPECT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            ProxyHeaderReader.install(ctx, this);
        } else {
            afterProxyHeader();
        }
    }

    void proxyHeaderRead(HAProxyMessage header) {
        headerTimer.cancel(false);
        addresses = ClientAddresses.of(header, addresses);
        afterProxyHeader();
    }

    /** The header was invalid, or did not come in time: counted once, whichever is first. */
    void refuseBadProxyHeader() {
        headerTimer.cancel(false);
        if (!refused) {
            refuse(target.meters().refusedBadProxyHeader);
        }
    }

    private void afterProxyHeader() {
        if (!client.isActive()) {
            return;
        }
        if (target.routesByServerName()) {
            client.pipeline().addLast(new ServerNamePeek(this, INSPECT_TIMEOUT_MILLIS));
            client.read();
        } else {
            dial(target.pool(), () -> { });
        }
    }

    /**
     * @param pool the route's pool, or null when no route matched
     * @param removePeek takes the peeking handler out, passing on the bytes it holds
     */
    void serverNameRead(String serverName, TcpPool pool, Runnable removePeek) {
        if (pool == null) {
            LOG.debug("{}: no route for server name {}", client, serverName);
            removePeek.run();
            refuse(target.meters().refusedNoRoute);
            return;
        }
        dial(pool, removePeek);
    }

    private void dial(TcpPool pool, Runnable beforeDial) {
        EarlyInput early = new EarlyInput();
        client.pipeline().addLast(early);
        beforeDial.run();
        new BackendDialer(client, addresses, early, target, pool, passiveHealth, channelClass, clientReads).dial();
    }

    private void refuse(Counter reason) {
        refused = true;
        reason.increment();
        client.close();
    }
}
