package dev.fulcrum.l7;

import dev.fulcrum.config.UpstreamProtocol;
import io.netty.util.concurrent.Future;
import dev.fulcrum.l7.sticky.StickyChoice;
import dev.fulcrum.lbcore.pool.BalancingContext;
import dev.fulcrum.lbcore.pool.ConnectionQueue;
import dev.fulcrum.lbcore.pool.Pool;
import dev.fulcrum.lbcore.pool.Server;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;

/**
 * The select-peer and lease phases of one exchange: a server for each try
 * ({@link PeerSelector}) and a connection to it. An idle connection of this event loop to that
 * server comes first, then a new one within the server's cap, then the pool's queue (bounded
 * in length and time) until a connection closes or is handed over; servers at their cap still
 * serve over connections already idle here.
 */
final class UpstreamLease {

    /** What the lease reports to: its exchange. */
    interface Tenant {

        /** The server of this try: it counts the request in flight from now on. */
        void tryOn(Server server);

        /** The try has its connection, reused from the idle pool or new. */
        void leased(UpstreamConnection connection, boolean reused);

        /** The connect failed or timed out: nothing was sent. */
        void connectFailed(Failure failure, Throwable cause);

        /**
         * No server can take the request: 503 with this reason.
         *
         * @param full every server is up but full (the queue is full or timed out): a gRPC
         *     client hears RESOURCE_EXHAUSTED rather than UNAVAILABLE
         */
        void noRoom(String reason, boolean full);

        /** Still waiting for its connection: neither answered nor gone. */
        boolean waitsForLease();

        /** Runs a step that no handler's guard covers (a listener, a queue wake-up). */
        void guarded(Runnable step);
    }

    private final Tenant tenant;
    private final Pool pool;
    private final UpstreamPool upstreams;
    private final UpstreamPools allUpstreams;
    private final EventLoop loop;
    private final ExchangePolicy policy;
    private final BalancingContext received;
    private final StickyChoice sticky;
    private long queueDeadline;
    private Server queuedAvoid;
    private boolean shedTried;

    /** @param received the request as the client sent it, for the balancer's hash keys */
    UpstreamLease(Tenant tenant, Pool pool, UpstreamPool upstreams, UpstreamPools allUpstreams, EventLoop loop,
                  ExchangePolicy policy, BalancingContext received, StickyChoice sticky) {
        this.tenant = tenant;
        this.pool = pool;
        this.upstreams = upstreams;
        this.allUpstreams = allUpstreams;
        this.loop = loop;
        this.policy = policy;
        this.received = received;
        this.sticky = sticky;
    }

    /** A server and a connection for a try; {@code avoid} is the server a retry comes from. */
    void lease(Server avoid) {
        continueWith(PeerSelector.select(pool, received, sticky, avoid), avoid);
    }

    /** The rest of {@link #lease}, once the balancer picked (null: no server has room). */
    void continueWith(Server picked, Server avoid) {
        if (picked == null) {
            UpstreamConnection idle = PeerSelector.idleOfFullServer(pool, upstreams, sticky, avoid);
            if (idle != null) {
                // Servers at their cap still take requests over connections already open.
                tenant.tryOn(idle.server());
                tenant.leased(idle, true);
                return;
            }
            waitForRoom(avoid);
            return;
        }
        tenant.tryOn(picked);
        UpstreamConnection idle = upstreams.pollIdle(picked);
        if (idle != null) {
            tenant.leased(idle, true);
            return;
        }
        connect(picked, avoid);
    }

    /** A new connection to that server (its cap allowing), else the queue. */
    void connect(Server picked, Server avoid) {
        if (!picked.tryAcquireConnection()) {
            // Reached its connection cap since the balancer looked.
            waitForRoom(avoid);
            return;
        }
        if (policy.upstream().protocol() != UpstreamProtocol.HTTP1) {
            upstreams.connectForStream(picked, policy.upstream(), policy.tls())
                    .addListener(f -> tenant.guarded(() -> onStream((Future<UpstreamConnection>) f)));
            return;
        }
        upstreams.connect(picked, policy.upstream(), policy.tls())
                .addListener((ChannelFuture f) -> tenant.guarded(() -> onConnected(f)));
    }

    /** The new HTTP/2 connection has its SETTINGS and a stream for this try (or ALPN chose HTTP/1.1). */
    private void onStream(Future<UpstreamConnection> future) {
        if (!tenant.waitsForLease()) {
            if (future.isSuccess()) {
                // The exchange ended meanwhile: the stream is not needed (the connection stays for others).
                upstreams.release(future.getNow(), true);
            }
            return;
        }
        if (!future.isSuccess()) {
            tenant.connectFailed(future.cause() instanceof ConnectTimeoutException
                    ? Failure.CONNECT_TIMEOUT : Failure.CONNECT_FAILED, future.cause());
            return;
        }
        tenant.leased(future.getNow(), false);
    }

    /**
     * No server has room: when servers are up but full, wait in the pool's queue and pick again
     * when a connection closes; otherwise answer 503 at once.
     */
    private void waitForRoom(Server avoid) {
        String poolName = pool.name();
        if (!pool.hasServerInRotation()) {
            tenant.noRoom(LocalResponses.noServer(poolName), false);
            return;
        }
        ConnectionQueue queue = pool.queue();
        if (queue.capacity() == 0 && !shedTried) {
            // No queue to wait in; but a full server's room may be held by connections idle on
            // other loops: have one closed and pick again once it is (once per request).
            Server holder = serverWithIdleRoom(avoid);
            if (holder != null) {
                shedTried = true;
                allUpstreams.shedOneIdle(holder, loop, () -> loop.execute(() -> tenant.guarded(() -> {
                    if (tenant.waitsForLease()) {
                        lease(avoid);
                    }
                })));
                return;
            }
        }
        boolean first = queueDeadline == 0;
        if (first) {
            queueDeadline = queue.deadlineFromNow();
        }
        queuedAvoid = avoid;
        Runnable wake = () -> tenant.guarded(this::onQueueWake);
        Runnable timeout = () -> tenant.guarded(this::onQueueTimeout);
        boolean waiting = first
                ? queue.await(loop, queueDeadline, wake, timeout)
                : queue.awaitAgain(loop, queueDeadline, wake, timeout);
        if (!waiting) {
            tenant.noRoom(first ? LocalResponses.queueFull(poolName) : LocalResponses.queueTimeout(poolName), true);
        } else if (first) {
            // Connections idle on other loops hold room nobody uses: have one of each full server closed.
            allUpstreams.shedIdle(pool, loop);
        }
    }

    /** A server in rotation, at its cap, some of whose connections sit idle (on other loops). */
    private Server serverWithIdleRoom(Server avoid) {
        for (Server candidate : pool.servers()) {
            if (candidate != avoid && candidate.isInRotation() && !candidate.hasConnectionRoom()
                    && candidate.idleConnections() > 0) {
                return candidate;
            }
        }
        return null;
    }

    /** A server connection closed or was handed over: pick again (or pass the turn on if the exchange is over). */
    private void onQueueWake() {
        if (!tenant.waitsForLease()) {
            pool.queue().roomFreed();
            return;
        }
        lease(queuedAvoid);
    }

    private void onQueueTimeout() {
        if (tenant.waitsForLease()) {
            tenant.noRoom(LocalResponses.queueTimeout(pool.name()), true);
        }
    }

    private void onConnected(ChannelFuture future) {
        if (!tenant.waitsForLease()) {
            // The exchange ended meanwhile (the client went away): keep the fresh connection for the next request.
            if (future.isSuccess()) {
                upstreams.release(future.channel().pipeline().get(UpstreamConnection.class), true);
            }
            return;
        }
        if (!future.isSuccess()) {
            tenant.connectFailed(future.cause() instanceof ConnectTimeoutException
                    ? Failure.CONNECT_TIMEOUT : Failure.CONNECT_FAILED, future.cause());
            return;
        }
        tenant.leased(future.channel().pipeline().get(UpstreamConnection.class), false);
    }
}
