package dev.fulcrum.l7;

import dev.fulcrum.l7.routing.RouteRequest;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import java.net.SocketAddress;
import java.util.function.Supplier;

/**
 * What the exchanges of one client connection share: who the client is, the listener, the
 * snapshot they resolve against, and scratch objects reused from one exchange to the next
 * (one runs at a time on an HTTP/1 connection; an HTTP/2 stream has one to itself while it
 * lasts, then hands it to a later stream of its connection, see {@link Http2ClientSession}).
 * Loop-confined.
 */
final class ClientContext {

    final String listener;
    final String scheme;
    final SocketAddress clientAddress;
    final RequestRewriter rewriter;
    final RouteRequest routeRequest = new RouteRequest();
    final ExchangeLog exchangeLog = new ExchangeLog();
    private final Supplier<L7Snapshot> snapshots;
    /** The exchange running now; the deadlines below are its, reused from one exchange to the next. */
    Exchange current;
    final Deadline responseDeadline;
    final Deadline idleDeadline;

    // Resolved again only when the snapshot reference changes.
    private L7Snapshot snapshot;
    private HttpRoutes routes;
    private UpstreamPool upstreams;

    ClientContext(String listener, String scheme, Supplier<L7Snapshot> snapshots, SocketAddress clientAddress,
                  SocketAddress localAddress, EventExecutor loop) {
        this.responseDeadline = new Deadline(loop, () -> {
            Exchange exchange = current;
            if (exchange != null) {
                exchange.guarded(exchange::onResponseTimeout);
            }
        });
        this.idleDeadline = new Deadline(loop, () -> {
            Exchange exchange = current;
            if (exchange != null) {
                exchange.guarded(exchange::onResponseIdle);
            }
        });
        this.listener = listener;
        this.scheme = scheme;
        this.snapshots = snapshots;
        this.clientAddress = clientAddress;
        this.rewriter = new RequestRewriter(scheme, clientAddress, localAddress);
    }

    /** Reads the snapshot reference once per request; resolves this listener's parts only on change. */
    L7Snapshot refresh(EventLoop loop) {
        L7Snapshot current = snapshots.get();
        if (current != snapshot) {
            snapshot = current;
            routes = current.listener(listener);
            upstreams = current.upstreams(loop);
        }
        return snapshot;
    }

    /** This listener's routes in the snapshot of the last {@link #refresh}; null when it is gone. */
    HttpRoutes routes() {
        return routes;
    }

    UpstreamPool upstreams() {
        return upstreams;
    }

    /** Whether no exchange of this context is still running. */
    boolean isIdle() {
        return current == null || current.isDone();
    }

    /** Between two exchanges: the clocks are disarmed, their scheduled tasks kept for the next one. */
    void release() {
        responseDeadline.disarm();
        idleDeadline.disarm();
        current = null;
    }

    /** The connection is gone: no timer may outlive it. */
    void close() {
        responseDeadline.cancel();
        idleDeadline.cancel();
        current = null;
    }
}
