package dev.fulcrum.l7;

import dev.fulcrum.l7.routing.InvalidRequestTargetException;
import dev.fulcrum.l7.routing.Route;
import dev.fulcrum.l7.routing.RouteRequest;
import dev.fulcrum.l7.sticky.PoolStickiness;
import dev.fulcrum.l7.sticky.StickyChoice;
import dev.fulcrum.lbcore.pool.ConnectionQueue;
import dev.fulcrum.lbcore.pool.Pool;
import dev.fulcrum.lbcore.pool.Server;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The frontend of one client connection: routes each request, leases a backend connection of
 * this event loop and streams both messages through without aggregating them.
 *
 * <p>Backpressure follows Netty's proxy example: the client channel reads only when asked,
 * and is asked again when the backend can take more; the backend is read only while the
 * client can take more. One request is in flight per connection: a pipelined request waits in
 * {@link #inbox} (at most one socket read's worth, as reading stops) until the response before
 * it is complete, which keeps responses in request order. While the backend answers, the client
 * stays asked for bytes ({@link RequestStreamGuard#readAhead}), so the epoll interest is not
 * dropped and set again around every exchange.
 *
 * <p>Errors are answered by source: the client's (400, 408, 413, 414, 431, from the guards
 * before this handler or the route's body limit) and the upstream's: 502 when a backend
 * refuses, resets or answers nonsense, 503 when no server is eligible, 504 when it does not
 * answer in time, be it the connect timeout (as nginx does; HAProxy and Envoy say 503) or
 * the route's response timeout, counted from the end of the request to the response head.
 */
final class ProxyHandler extends ChannelInboundHandlerAdapter implements UpstreamListener {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyHandler.class);
    private static final RequestRejection BODY_TOO_LARGE =
            new RequestRejection(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, LocalResponses.BODY_TOO_LARGE);

    private enum State {
        /** Waiting for a request head. */
        IDLE,
        /** Head received; a backend connection is being opened. Request parts wait in the inbox. */
        CONNECTING,
        /** Head received; every server is at its connection cap, so the request waits in the pool's queue. */
        QUEUED,
        /** Request and response flow between client and backend. */
        STREAMING,
        /** The proxy answered itself; the rest of the request body is discarded. */
        LOCAL,
        /** The client connection is closed or closing: everything read is dropped. */
        CLOSED
    }

    private final String listener;
    private final String scheme;
    private final Supplier<L7Snapshot> snapshots;
    private final RequestStreamGuard streamGuard;
    private final ArrayDeque<Object> inbox = new ArrayDeque<>(4);
    private final RouteRequest routeRequest = new RouteRequest();
    private final ExchangeLog exchangeLog = new ExchangeLog();

    private ChannelHandlerContext ctx;
    private SocketAddress clientAddress;
    private RequestRewriter rewriter;

    // Resolved again only when the snapshot reference changes.
    private L7Snapshot snapshot;
    private HttpRoutes routes;
    private UpstreamPool upstreams;
    private Deadline responseDeadline;

    private State state = State.IDLE;
    private boolean draining;
    /** The listener stops: the exchange in flight finishes (with Connection: close), no other starts. */
    private boolean stopping;

    // The exchange in flight.
    private long startNanos;
    private boolean clientKeepAlive;
    private boolean http10Client;
    private boolean bodyExpected;
    private boolean requestDone;
    private boolean responseStarted;
    private boolean responseDone;
    private boolean interimResponse;
    private boolean closeAfterResponse;
    private boolean upstreamReusable;
    private int status;
    private RequestMeters meters;
    private CompiledRouteActions actions = CompiledRouteActions.NONE;
    private String upgrade;
    private Server server;
    private ExchangePolicy policy;
    // Retries: the route and pool of the exchange, and the head as sent, to send it again.
    private Route route;
    private Pool pool;
    private int retriesLeft;
    private HttpRequest sentHead;
    private long bodyBytesLeft;
    private UpstreamConnection upstream;
    private ChannelFuture lastResponseWrite;
    // Held while the exchange runs: the route's concurrency slot, and the queue deadline if it waited.
    private ConcurrencyLimit concurrencySlot;
    private long queueDeadline;
    private Server queuedAvoid;
    // Sticky sessions of the route's pool (null: none) and what the request's cookie decided.
    private PoolStickiness sticky;
    private StickyChoice stickyChoice;

    ProxyHandler(String listener, String scheme, Supplier<L7Snapshot> snapshots, RequestStreamGuard streamGuard) {
        this.listener = listener;
        this.scheme = scheme;
        this.snapshots = snapshots;
        this.streamGuard = streamGuard;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.responseDeadline = new Deadline(ctx.executor(), this::onResponseTimeout);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        clientAddress = ctx.channel().remoteAddress();
        rewriter = new RequestRewriter(scheme, clientAddress, ctx.channel().localAddress());
        ctx.read();
        ctx.fireChannelActive();
    }

    // ---- client side -------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.CLOSED) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (inbox.isEmpty() && accepts(msg)) {
            process(msg);
        } else {
            inbox.add(msg);
        }
        drain();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (state == State.STREAMING && upstream != null) {
            upstream.channel().flush();
        }
        readClientIfReady();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && state == State.STREAMING && !responseDone && upstream != null) {
            upstream.channel().read();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        state = State.CLOSED;
        releaseConcurrencySlot();
        responseDeadline.cancel();
        Object msg;
        while ((msg = inbox.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
        if (upstream != null) {
            // The exchange cannot complete: the backend connection is left mid-message.
            UpstreamConnection connection = upstream;
            upstream = null;
            upstreams.release(connection, false);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt != ListenerStopping.EVENT) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        stopping = true;
        if (state == State.IDLE && inbox.isEmpty()) {
            closeClient();
        } else {
            // Said at the response head if it is still to come; either way the connection closes after it.
            clientKeepAlive = false;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("client {}: {}", clientAddress, cause.toString());
        ctx.close();
    }

    /** Whether a message can be handled in the current state; otherwise it waits in the inbox. */
    private boolean accepts(Object msg) {
        switch (state) {
            case IDLE:
                return true;
            case STREAMING:
            case LOCAL:
                return !requestDone && !(msg instanceof HttpRequest);
            default:
                return false;
        }
    }

    private void process(Object msg) {
        if (msg instanceof RequestRejection rejection) {
            onRejection(rejection);
        } else if (msg instanceof HttpRequest request) {
            onRequestHead(request);
        } else if (msg instanceof HttpContent content) {
            onRequestContent(content);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    /** Handles waiting messages for as long as the state accepts them. */
    private void drain() {
        if (draining) {
            return;
        }
        draining = true;
        try {
            Object msg;
            while (state != State.CLOSED && (msg = inbox.peek()) != null && accepts(msg)) {
                inbox.poll();
                process(msg);
            }
        } finally {
            draining = false;
        }
    }

    private void readClientIfReady() {
        if (!inbox.isEmpty()) {
            return;
        }
        switch (state) {
            case IDLE -> ctx.read();
            case STREAMING -> {
                if (requestDone) {
                    // Waiting on the backend: the read interest stays, without the client clocks.
                    streamGuard.readAhead();
                } else if (upstream != null && upstream.channel().isWritable()) {
                    ctx.read();
                }
            }
            case LOCAL -> {
                if (!requestDone && !closeAfterResponse) {
                    ctx.read();
                }
            }
            default -> {
                // CONNECTING: request parts wait until the backend connection is ready.
            }
        }
    }

    private void onRequestHead(HttpRequest request) {
        refreshSnapshot();
        startExchange(request);
        if (routes == null) {
            respondLocally(HttpResponseStatus.SERVICE_UNAVAILABLE, LocalResponses.LISTENER_GONE, null);
            return;
        }
        try {
            routeRequest.parse(request.method().name(), request.uri(), request.headers());
        } catch (InvalidRequestTargetException e) {
            respondLocally(HttpResponseStatus.BAD_REQUEST, "bad request: " + e.getMessage(), routes.unroutedMeters());
            return;
        }
        Route route = routes.router().match(routeRequest);
        if (route == null) {
            respondLocally(HttpResponseStatus.NOT_FOUND, LocalResponses.NO_ROUTE, routes.unroutedMeters());
            return;
        }
        ExchangePolicy routePolicy = routes.policy(route);
        if (HttpUtil.getContentLength(request, 0L) > routePolicy.maxRequestBody()) {
            // Refused before any backend sees a byte; a chunked body is counted as it streams.
            respondLocally(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, LocalResponses.BODY_TOO_LARGE,
                    routes.noServerMeters(route));
            return;
        }
        policy = routePolicy;
        bodyBytesLeft = routePolicy.maxRequestBody();
        LocalReplies reply = routes.reply(route);
        if (reply != null) {
            actions = routes.actions(route);
            replyLocally(reply, route);
            return;
        }
        if (!routePolicy.concurrency().tryAcquire()) {
            respondLocally(HttpResponseStatus.SERVICE_UNAVAILABLE, LocalResponses.routeBusy(route.name()),
                    routes.noServerMeters(route));
            return;
        }
        concurrencySlot = routePolicy.concurrency();
        this.route = route;
        this.pool = routes.pool(route);
        retriesLeft = routePolicy.retries();
        actions = routes.actions(route);
        sticky = routes.sticky(route);
        stickyChoice = sticky == null ? null : sticky.choose(routeRequest.forClient(clientAddress));
        rewriter.rewrite(request, routeRequest, actions, routes.forwarding(), upgrade);
        if (sticky != null) {
            sticky.stripFromRequest(request.headers());
        }
        sentHead = request;
        dispatch(null);
    }

    /**
     * Sends the prepared head to a server of the route's pool: over an idle pooled connection
     * when there is one, else over a new connection. On a retry, {@code avoid} is the server
     * that just failed; another is taken when the pool has one.
     */
    private void dispatch(Server avoid) {
        Server pinned = stickyChoice == null ? null : stickyChoice.server();
        Server picked = pinned != null && avoid == null && pinned.acceptsSticky() ? pinned
                : RetryRules.pickAvoiding(pool, routeRequest.forClient(clientAddress), avoid);
        if (picked == null) {
            UpstreamConnection idle = idleToAnyServerInRotation();
            if (idle != null) {
                // Servers at their cap still take requests over connections already open.
                server = idle.server();
                meters = routes.meters(route, server);
                useUpstream(idle);
                writeHead();
                return;
            }
            waitForRoom(avoid);
            return;
        }
        server = picked;
        meters = routes.meters(route, picked);
        UpstreamConnection idle = upstreams.pollIdle(picked);
        if (idle != null) {
            useUpstream(idle);
            writeHead();
            return;
        }
        if (!picked.tryAcquireConnection()) {
            // Reached its connection cap since the balancer looked.
            waitForRoom(avoid);
            return;
        }
        state = State.CONNECTING;
        upstreams.connect(picked, policy.upstream(), policy.tls()).addListener((ChannelFuture f) -> onConnected(f));
    }

    private UpstreamConnection idleToAnyServerInRotation() {
        for (Server candidate : pool.servers()) {
            if (candidate.isInRotation()) {
                UpstreamConnection idle = upstreams.pollIdle(candidate);
                if (idle != null) {
                    return idle;
                }
            }
        }
        return null;
    }

    /**
     * No server has room: when servers are up but full, wait in the pool's queue (bounded in
     * length and time) and try again when a connection closes; otherwise answer 503 at once.
     */
    private void waitForRoom(Server avoid) {
        String poolName = pool.name();
        if (!pool.hasServerInRotation()) {
            respondLocally(HttpResponseStatus.SERVICE_UNAVAILABLE, LocalResponses.noServer(poolName),
                    routes.noServerMeters(route));
            return;
        }
        ConnectionQueue queue = pool.queue();
        boolean first = queueDeadline == 0;
        if (first) {
            queueDeadline = queue.deadlineFromNow();
        }
        queuedAvoid = avoid;
        state = State.QUEUED;
        boolean waiting = first
                ? queue.await(ctx.executor(), queueDeadline, this::onQueueWake, this::onQueueTimeout)
                : queue.awaitAgain(ctx.executor(), queueDeadline, this::onQueueWake, this::onQueueTimeout);
        if (!waiting) {
            respondLocally(HttpResponseStatus.SERVICE_UNAVAILABLE,
                    first ? LocalResponses.queueFull(poolName) : LocalResponses.queueTimeout(poolName),
                    routes.noServerMeters(route));
        } else if (first) {
            snapshot.allUpstreams().shedIdle(pool, ctx.channel().eventLoop());
        }
    }

    /** A server connection closed somewhere: pick again (or pass the turn on if this exchange is gone). */
    private void onQueueWake() {
        if (state != State.QUEUED) {
            if (pool != null) {
                pool.queue().roomFreed();
            }
            return;
        }
        dispatch(queuedAvoid);
        drain();
        if (upstream != null) {
            upstream.channel().flush();
        }
        readClientIfReady();
    }

    private void onQueueTimeout() {
        if (state != State.QUEUED) {
            return;
        }
        respondLocally(HttpResponseStatus.SERVICE_UNAVAILABLE, LocalResponses.queueTimeout(pool.name()),
                routes.noServerMeters(route));
        drain();
        readClientIfReady();
    }

    /** The head, and on a retry of a request already read whole, its end too. */
    private void writeHead() {
        RequestRewriter.setHost(sentHead, policy.upstream(), server);
        upstream.channel().write(sentHead).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        if (requestDone) {
            upstream.channel().writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
                    .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            responseDeadline.arm(policy.responseTimeoutNanos());
        }
    }

    /**
     * Whether a failure before any response byte may be tried again elsewhere: a failed
     * connect sent nothing, so always; a dropped connection may have delivered the request,
     * so only one that is idempotent and has no body to send again.
     */
    private boolean mayRetry(boolean nothingSent) {
        if (retriesLeft <= 0 || responseStarted) {
            return false;
        }
        return nothingSent || !bodyExpected && requestDone && RetryRules.isIdempotent(sentHead.method());
    }

    private void retry(Server failed) {
        retriesLeft--;
        routes.retries(route).increment();
        LOG.debug("retrying {} {} after {} failed", sentHead.method(), sentHead.uri(), failed);
        dispatch(failed);
    }

    /** Reads the snapshot reference once per request; resolves this listener's parts only on change. */
    private void refreshSnapshot() {
        L7Snapshot current = snapshots.get();
        if (current != snapshot) {
            snapshot = current;
            routes = current.listener(listener);
            upstreams = current.upstreams(ctx.channel().eventLoop());
        }
    }

    private void startExchange(HttpRequest request) {
        releaseConcurrencySlot();
        queueDeadline = 0;
        queuedAvoid = null;
        sticky = null;
        stickyChoice = null;
        startNanos = System.nanoTime();
        if (routes != null && routes.accessLog() != null) {
            // Only a listener that logs pays for reading what the log line needs.
            exchangeLog.begin(request);
        }
        actions = CompiledRouteActions.NONE;
        upgrade = UpgradeTunnel.requestedUpgrade(request);
        clientKeepAlive = HttpUtil.isKeepAlive(request) && !stopping;
        http10Client = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
        bodyExpected = HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0;
        requestDone = false;
        responseStarted = false;
        responseDone = false;
        interimResponse = false;
        closeAfterResponse = false;
        upstreamReusable = false;
        status = 0;
        meters = null;
        server = null;
        policy = null;
        sentHead = null;
        route = null;
        pool = null;
        lastResponseWrite = null;
    }

    /**
     * The backend agreed to switch protocols: pass its 101 on, account for the exchange, and
     * hand both connections to a byte tunnel. The backend connection leaves the pool for good.
     */
    private void switchToTunnel(HttpResponse response) {
        String agreed = response.headers().get(HttpHeaderNames.UPGRADE, upgrade);
        HopByHopHeaders.strip(response.headers());
        routes.forwarding().onResponse(response.headers());
        UpgradeTunnel.keepUpgradeHeaders(response.headers(), agreed);
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        responseDeadline.disarm();
        responseStarted = true;
        responseDone = true;
        status = response.status().code();
        ctx.writeAndFlush(response);
        recordExchange();
        UpstreamConnection connection = upstream;
        upstream = null;
        connection.endLease();
        state = State.CLOSED;
        UpgradeTunnel.open(ctx.channel(), connection.channel());
    }

    private void onConnected(ChannelFuture future) {
        if (state != State.CONNECTING) {
            // The client went away meanwhile: keep the fresh connection for the next request.
            if (future.isSuccess()) {
                upstreams.release(future.channel().pipeline().get(UpstreamConnection.class), true);
            }
            return;
        }
        if (!future.isSuccess()) {
            LOG.debug("connect to {} failed: {}", server, future.cause().toString());
            snapshot.health().onFailure(server, future.cause());
            if (mayRetry(true)) {
                retry(server);
            } else if (future.cause() instanceof ConnectTimeoutException) {
                respondLocally(HttpResponseStatus.GATEWAY_TIMEOUT, LocalResponses.UPSTREAM_CONNECT_TIMEOUT, meters);
            } else {
                respondLocally(HttpResponseStatus.BAD_GATEWAY, LocalResponses.UPSTREAM_CONNECT_FAILED, meters);
            }
        } else {
            useUpstream(future.channel().pipeline().get(UpstreamConnection.class));
            writeHead();
        }
        drain();
        if (upstream != null) {
            upstream.channel().flush();
        }
        readClientIfReady();
    }

    private void useUpstream(UpstreamConnection connection) {
        upstream = connection;
        state = State.STREAMING;
        connection.lease(this);
    }

    private void onRequestContent(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (state == State.STREAMING) {
            bodyBytesLeft -= content.content().readableBytes();
            if (bodyBytesLeft < 0) {
                content.release();
                onRejection(BODY_TOO_LARGE);
                return;
            }
            upstream.channel().write(content).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            if (last) {
                requestDone = true;
                upstream.channel().flush();
                if (!responseStarted) {
                    responseDeadline.arm(policy.responseTimeoutNanos());
                }
                finishIfComplete();
            }
            return;
        }
        content.release();
        if (last && state == State.LOCAL) {
            requestDone = true;
            finishIfComplete();
        }
    }

    private void onRejection(RequestRejection rejection) {
        requestDone = true;
        closeAfterResponse = true;
        if (state == State.IDLE) {
            startNanos = System.nanoTime();
            exchangeLog.beginUnreadable();
            responseStarted = false;
            refreshSnapshot();
            respondLocally(rejection.status(), rejection.reason(), routes == null ? null : routes.unroutedMeters());
            return;
        }
        // A bad part of the request being forwarded: the backend connection is out of sync.
        abandonUpstream();
        if (responseStarted) {
            closeClient();
        } else {
            respondLocally(rejection.status(), rejection.reason(), meters);
        }
    }

    /**
     * Answers the current request from the proxy itself. The connection closes afterwards when
     * the client asked for it or a request body that will not be read is still coming.
     */
    private void respondLocally(HttpResponseStatus responseStatus, String message, RequestMeters requestMeters) {
        boolean close = beginLocalAnswer();
        finishLocalAnswer(LocalResponses.create(ctx.alloc(), responseStatus, message, close), requestMeters);
    }

    /** A route that answers itself (redirect, fixed response); its response header edits apply. */
    private void replyLocally(LocalReplies reply, Route answering) {
        boolean close = beginLocalAnswer();
        FullHttpResponse response = reply.render(ctx.alloc(), routeRequest, scheme, close);
        actions.editResponse(response.headers());
        finishLocalAnswer(response, routes.noServerMeters(answering));
    }

    /** @return whether the connection closes after the answer */
    private boolean beginLocalAnswer() {
        state = State.LOCAL;
        if (bodyExpected && !requestDone) {
            closeAfterResponse = true;
        }
        return closeAfterResponse || !clientKeepAlive;
    }

    private void finishLocalAnswer(FullHttpResponse response, RequestMeters requestMeters) {
        responseStarted = true;
        responseDone = true;
        status = response.status().code();
        meters = requestMeters;
        recordExchange();
        lastResponseWrite = ctx.writeAndFlush(response);
        finishIfComplete();
    }

    // ---- backend side ------------------------------------------------------------------------

    @Override
    public void onUpstreamRead(Object msg) {
        if (state != State.STREAMING) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpResponse response) {
            onResponseHead(response);
        } else if (msg instanceof HttpContent content) {
            onResponseContent(content);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onResponseHead(HttpResponse response) {
        if (response.decoderResult().isFailure()) {
            LOG.debug("invalid response from {}: {}", server, response.decoderResult().cause().toString());
            ReferenceCountUtil.release(response);
            failUpstream(HttpResponseStatus.BAD_GATEWAY, LocalResponses.UPSTREAM_INVALID, response.decoderResult().cause());
            return;
        }
        int code = response.status().code();
        if (code == HttpResponseStatus.SWITCHING_PROTOCOLS.code() && upgrade != null && requestDone) {
            switchToTunnel(response);
            return;
        }
        if (code == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
            // Nobody asked to upgrade (or the request is not over): the backend is out of step.
            ReferenceCountUtil.release(response);
            failUpstream(HttpResponseStatus.BAD_GATEWAY, LocalResponses.UPSTREAM_INVALID, null);
            return;
        }
        HopByHopHeaders.strip(response.headers());
        routes.forwarding().onResponse(response.headers());
        if (code >= 200) {
            if (sticky != null) {
                sticky.onResponse(response.headers(), server, stickyChoice);
            }
            actions.editResponse(response.headers());
        }
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        if (code < 200) {
            // 100 Continue and friends: pass on, the final response follows.
            interimResponse = true;
            ctx.write(response);
            return;
        }
        responseStarted = true;
        responseDeadline.disarm();
        status = code;
        boolean framed = ResponseFraming.isFramed(response, routeRequest.method().equals(HttpMethod.HEAD.name()));
        upstreamReusable = HttpUtil.isKeepAlive(response) && framed;
        closeAfterResponse = ResponseFraming.fitToClient(response, framed, http10Client, clientKeepAlive,
                closeAfterResponse);
        ctx.write(response);
    }

    private void onResponseContent(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (interimResponse) {
            ctx.write(content);
            if (last) {
                interimResponse = false;
            }
            return;
        }
        if (!responseStarted) {
            content.release();
            return;
        }
        exchangeLog.addResponseBytes(content.content().readableBytes());
        ChannelFuture write = ctx.write(content);
        if (last) {
            lastResponseWrite = write;
            responseDone = true;
            if (!requestDone) {
                // The backend finished before the client did: neither connection is in sync.
                closeAfterResponse = true;
            }
            // Counted before the client can see the end of the response.
            recordExchange();
            ctx.flush();
            snapshot.health().onSuccess(server);
            snapshot.health().onResponse(server, status);
            finishIfComplete();
        }
    }

    @Override
    public void onUpstreamReadComplete() {
        ctx.flush();
        if (state == State.STREAMING && !responseDone && upstream != null && ctx.channel().isWritable()) {
            upstream.channel().read();
        }
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {
        if (writable) {
            readClientIfReady();
        }
    }

    @Override
    public void onUpstreamClosed(Throwable cause) {
        if (state != State.STREAMING) {
            return;
        }
        upstream = null;
        if (responseDone) {
            return;
        }
        if (!responseStarted) {
            snapshot.health().onFailure(server, cause != null ? cause : UpstreamFailure.closedBeforeResponse(server));
            if (mayRetry(false)) {
                responseDeadline.disarm();
                retry(server);
                drain();
                if (upstream != null) {
                    upstream.channel().flush();
                }
                readClientIfReady();
                return;
            }
            respondLocally(HttpResponseStatus.BAD_GATEWAY, LocalResponses.UPSTREAM_CLOSED, meters);
            drain();
            readClientIfReady();
        } else {
            // Part of the response is with the client already: all we can do is cut it short.
            LOG.debug("{} closed mid-response", server);
            recordExchange();
            closeClient();
        }
    }

    /** The route's response timeout: the whole request went out, no response head came back. */
    private void onResponseTimeout() {
        if (state != State.STREAMING || responseStarted || upstream == null) {
            return;
        }
        LOG.debug("{} did not answer in time", server);
        failUpstream(HttpResponseStatus.GATEWAY_TIMEOUT, LocalResponses.UPSTREAM_RESPONSE_TIMEOUT,
                UpstreamFailure.noResponseInTime(server));
        drain();
        readClientIfReady();
    }

    /** The backend broke the exchange before the response could start (or mid-way). */
    private void failUpstream(HttpResponseStatus responseStatus, String message, Throwable cause) {
        abandonUpstream();
        if (responseStarted) {
            recordExchange();
            closeClient();
            return;
        }
        snapshot.health().onFailure(server, cause != null ? cause : UpstreamFailure.closedBeforeResponse(server));
        respondLocally(responseStatus, message, meters);
    }

    private void abandonUpstream() {
        responseDeadline.disarm();
        if (upstream != null) {
            UpstreamConnection connection = upstream;
            upstream = null;
            upstreams.release(connection, false);
        }
    }

    // ---- end of an exchange ------------------------------------------------------------------

    private void finishIfComplete() {
        if (!responseDone || !requestDone && !closeAfterResponse) {
            return;
        }
        responseDeadline.disarm();
        if (upstream != null) {
            UpstreamConnection connection = upstream;
            upstream = null;
            upstreams.release(connection, upstreamReusable && requestDone);
        }
        recordExchange();
        if (closeAfterResponse || !clientKeepAlive) {
            state = State.CLOSED;
            if (lastResponseWrite != null) {
                lastResponseWrite.addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.close();
            }
            return;
        }
        state = State.IDLE;
        lastResponseWrite = null;
        drain();
        readClientIfReady();
    }

    private void closeClient() {
        state = State.CLOSED;
        ctx.close();
    }

    private void releaseConcurrencySlot() {
        if (concurrencySlot != null) {
            concurrencySlot.release();
            concurrencySlot = null;
        }
    }

    private void recordExchange() {
        releaseConcurrencySlot();
        if (meters != null && status != 0) {
            long nanos = System.nanoTime() - startNanos;
            meters.record(status, nanos);
            exchangeLog.end(routes == null ? null : routes.accessLog(), rewriter.clientIp(), status, nanos, meters);
            meters = null;
        }
    }
}
