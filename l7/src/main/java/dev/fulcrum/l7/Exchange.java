package dev.fulcrum.l7;

import dev.fulcrum.l7.accesslog.AccessLog;
import dev.fulcrum.l7.routing.Route;
import dev.fulcrum.l7.routing.RouteRequest;
import dev.fulcrum.l7.sticky.PoolStickiness;
import dev.fulcrum.l7.sticky.StickyChoice;
import dev.fulcrum.lbcore.pool.Server;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request and its response, from the request head to the end of the response: created
 * for each request, confined to its event loop, thrown away at its end. It runs the phases in
 * order (see the package documentation):
 * <ol>
 *   <li>admit: route match, body limit, local replies, the route's concurrency slot;</li>
 *   <li>request filter: path rewrite, forwarding headers, route header edits, sticky strip;</li>
 *   <li>body buffering: up to {@code buffer_request} is read before a server is chosen;</li>
 *   <li>select peer ({@link PeerSelector}): sticky pin, balancer, servers to avoid;</li>
 *   <li>lease: an idle connection of this loop, a new one, or the pool's queue;</li>
 *   <li>relay: request body out, response back, backpressure and timeouts both ways;</li>
 *   <li>response filter ({@link ResponseFilter});</li>
 *   <li>complete, exactly once: metrics, access log, concurrency slot.</li>
 * </ol>
 * Every failure goes through {@link #fail} with its {@link Failure}, which says what the
 * client gets, what passive health hears and whether the request goes again. Nothing here
 * knows the client's protocol: the client is a {@link Downstream}.
 */
final class Exchange implements UpstreamListener, Admission.LocalAnswer, UpstreamLease.Tenant {

    private static final Logger LOG = LoggerFactory.getLogger(Exchange.class);
    private static final AsciiString GRPC_TIMEOUT = AsciiString.cached("grpc-timeout");
    static final RequestRejection BODY_TOO_LARGE =
            new RequestRejection(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, LocalResponses.BODY_TOO_LARGE);

    private enum Phase {
        /** Reading the request body up to buffer_request before choosing a server. */
        BUFFERING,
        /** A server connection is being opened, or every server is full and the request waits in the queue. */
        LEASING,
        /** Request and response flow between client and server. */
        RELAYING,
        /** The proxy answers itself; what is left of the request body is discarded. */
        LOCAL,
        /** Over: the response was written whole, cut short, or the client went away. */
        DONE
    }

    private final ClientContext client;
    private final Downstream downstream;
    private final L7Snapshot snapshot;
    private final HttpRoutes routes;
    private final UpstreamPool upstreams;
    /** The head as received, rewritten in place for the backend by the request filter. */
    private final HttpRequest head;
    private final long startNanos = System.nanoTime();
    private final boolean bodyExpected;
    private final String upgrade;

    private Phase phase;
    private Route route;
    private ExchangePolicy policy;
    private StickyChoice stickyChoice;
    private RequestMeters meters;
    private RequestBodyBuffer body;
    private long bodyBytesLeft;
    private int retriesLeft;
    private boolean freshRetryUsed;
    /** A gRPC call's own deadline ({@code grpc-timeout}) from its start, or -1. */
    private long clientDeadlineNanos = -1;
    /** The response timeout armed is the client's deadline, not the route's. */
    private boolean clientDeadlineBinds;
    private UpstreamLease lease;
    /** The listener's access log as the exchange started, held open until it completes; null: none. */
    private AccessLog accessLog;

    private Server server;
    private UpstreamConnection upstream;
    /** The current try's connection came from the idle pool (it may have been closed by the server meanwhile). */
    private boolean upstreamReused;
    /** Something of a response came on the current try. */
    private boolean responseSeen;
    private boolean upstreamReusable;
    private boolean interim;

    private boolean requestDone;
    private boolean responseStarted;
    private boolean responseDone;
    private boolean completed;
    private int status;

    private Exchange(ClientContext client, Downstream downstream, HttpRequest head) {
        this.client = client;
        this.downstream = downstream;
        this.snapshot = client.refresh(downstream.eventLoop());
        this.routes = client.routes();
        this.upstreams = client.upstreams();
        this.head = head;
        this.bodyExpected = head != null
                && (HttpUtil.isTransferEncodingChunked(head) || HttpUtil.getContentLength(head, 0L) > 0);
        this.upgrade = head == null ? null : UpgradeTunnel.requestedUpgrade(head);
        // A request without a body is whole at its head (the codec's empty end marker adds nothing).
        this.requestDone = !bodyExpected;
        client.current = this;
    }

    /** Starts the exchange of a request head: admits it and sets it on its way. */
    static Exchange start(ClientContext client, Downstream downstream, HttpRequest head) {
        Exchange exchange = new Exchange(client, downstream, head);
        AccessLog log = exchange.routes == null ? null : exchange.routes.accessLog();
        if (log != null && log.retain()) {
            // Only a listener that logs pays for reading what the log line needs.
            exchange.accessLog = log;
            client.exchangeLog.begin(head);
        }
        exchange.admit();
        return exchange;
    }

    /** A request refused before its head could be read whole: answered, never forwarded. */
    static Exchange refuse(ClientContext client, Downstream downstream, RequestRejection rejection) {
        Exchange exchange = new Exchange(client, downstream, null);
        AccessLog log = exchange.routes == null ? null : exchange.routes.accessLog();
        if (log != null && log.retain()) {
            exchange.accessLog = log;
        }
        client.exchangeLog.beginUnreadable();
        exchange.requestDone = true;
        exchange.answer(rejection.status(), rejection.reason(),
                exchange.routes == null ? null : exchange.routes.unroutedMeters());
        return exchange;
    }

    boolean isDone() {
        return phase == Phase.DONE;
    }

    // ---- admit -------------------------------------------------------------------------------

    private void admit() {
        Route matched = Admission.admit(routes, client.routeRequest, head, this);
        if (matched == null) {
            return;
        }
        // The route's concurrency slot is taken (released at completion, once route is set).
        ExchangePolicy routePolicy = routes.policy(matched);
        policy = routePolicy;
        route = matched;
        bodyBytesLeft = routePolicy.maxRequestBody();
        retriesLeft = routePolicy.retries();
        clientDeadlineNanos = GrpcStatus.timeoutNanos(head.headers().get(GRPC_TIMEOUT));
        PoolStickiness sticky = routes.sticky(matched);
        RouteRequest routeRequest = client.routeRequest;
        body = bodyExpected ? new RequestBodyBuffer(routePolicy.bufferRequest()) : RequestBodyBuffer.NONE;
        if (routes.hashesOnRequest(matched)) {
            // Hash keys come from the request as the client sent it, not as rewritten for the backend.
            routeRequest.keepHeadersAsReceived();
        }
        stickyChoice = sticky == null ? null : sticky.choose(routeRequest.forClient(client.clientAddress));
        // A client that waits for 100 Continue sends no body until the server asks: nothing to buffer.
        boolean awaitsContinue = HttpUtil.is100ContinueExpected(head);
        filterRequest(sticky);
        // A gRPC call is a stream both ways (a bidi call's first message may be all there is for
        // a while): holding it back until buffer_request fills would stall it. It goes at once.
        boolean streamsBothWays = GrpcStatus.isGrpc(head.headers());
        if (bodyExpected && routePolicy.bufferRequest() > 0 && !awaitsContinue && !streamsBothWays) {
            phase = Phase.BUFFERING;
            downstream.requestMore();
            return;
        }
        lease(null);
    }

    // ---- request filter ----------------------------------------------------------------------

    private void filterRequest(PoolStickiness sticky) {
        boolean http10 = head.protocolVersion().equals(HttpVersion.HTTP_1_0);
        client.rewriter.rewrite(head, client.routeRequest, routes.actions(route), routes.forwarding(), upgrade);
        if (http10) {
            // RFC 9110 10.1.1: a 100-continue expectation in an HTTP/1.0 request is to be ignored,
            // and the backend would otherwise take it as HTTP/1.1's and answer 100 to nobody.
            head.headers().remove(HttpHeaderNames.EXPECT);
        }
        if (sticky != null) {
            sticky.stripFromRequest(head.headers());
        }
    }

    // ---- select peer and lease (UpstreamLease) ---------------------------------------------

    private void lease(Server avoid) {
        phase = Phase.LEASING;
        Server picked = PeerSelector.select(routes.pool(route), client.routeRequest.forClient(client.clientAddress),
                stickyChoice, avoid);
        if (picked != null) {
            // The keep-alive path, allocating nothing: a server with room and an idle connection to it here.
            UpstreamConnection idle = upstreams.pollIdle(picked);
            if (idle != null) {
                tryOn(picked);
                leased(idle, true);
                return;
            }
        }
        lease().continueWith(picked, avoid);
    }

    /** Made when a try needs more than an idle connection: a connect, the queue, a full pool. */
    private UpstreamLease lease() {
        if (lease == null) {
            lease = new UpstreamLease(this, routes.pool(route), upstreams, snapshot.allUpstreams(),
                    downstream.eventLoop(), policy, client.routeRequest.forClient(client.clientAddress), stickyChoice);
        }
        return lease;
    }

    /** The server of this try; it counts one more request in flight (least_conn) until the try ends. */
    @Override
    public void tryOn(Server picked) {
        if (server != null) {
            server.endRequest();
        }
        server = picked;
        picked.beginRequest();
        meters = routes.meters(route, picked);
    }

    @Override
    public boolean waitsForLease() {
        return phase == Phase.LEASING && upstream == null;
    }

    @Override
    public void connectFailed(Failure failure, Throwable cause) {
        LOG.debug("connect to {} failed: {}", server, cause.toString());
        fail(failure, cause);
    }

    @Override
    public void noRoom(String reason, boolean full) {
        answer(HttpResponseStatus.SERVICE_UNAVAILABLE, reason, routes.noServerMeters(route),
                full ? GrpcStatus.RESOURCE_EXHAUSTED : GrpcStatus.UNAVAILABLE);
    }

    // ---- relay -------------------------------------------------------------------------------

    /** The connection is ours: the head goes out, then what is held of the body. */
    @Override
    public void leased(UpstreamConnection connection, boolean reused) {
        phase = Phase.RELAYING;
        upstream = connection;
        upstreamReused = reused;
        responseSeen = false;
        connection.lease(this);
        RequestRewriter.setHost(head, policy.upstream(), server);
        connection.expectResponseTo(head.method());
        // Void promises: a failed write reaches UpstreamConnection.exceptionCaught, which closes.
        Channel channel = connection.channel();
        channel.write(head, channel.voidPromise());
        if (bodyExpected) {
            body.writeTo(channel);
        } else {
            channel.write(LastHttpContent.EMPTY_LAST_CONTENT, channel.voidPromise());
        }
        armIdle();
        if (requestDone) {
            requestSent();
            return;
        }
        // What was read ahead goes now (the server may have to say 100 Continue before more
        // comes); the rest follows at the end of each client read.
        connection.channel().flush();
        if (connection.channel().isWritable()) {
            downstream.requestMore();
        }
    }

    /** The client's read batch is over: what it brought of the body goes to the server in one flush. */
    void onDownstreamReadComplete() {
        if (phase == Phase.RELAYING && upstream != null && !requestDone) {
            upstream.channel().flush();
        }
    }

    /** A part of the request body from the client; ownership passes. */
    void onRequestContent(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (phase == Phase.LOCAL || phase == Phase.DONE) {
            content.release();
            requestDone |= last;
            return;
        }
        if (!bodyExpected) {
            // The end marker of a body-less request: the request was whole at its head.
            content.release();
            return;
        }
        bodyBytesLeft -= content.content().readableBytes();
        if (bodyBytesLeft < 0) {
            content.release();
            onRequestRejected(BODY_TOO_LARGE);
            return;
        }
        requestDone = last;
        if (phase == Phase.RELAYING) {
            body.stream(content, upstream.channel());
            armIdle();
            if (last) {
                requestSent();
            } else if (upstream.channel().isWritable()) {
                downstream.requestMore();
            }
            return;
        }
        body.hold(content);
        if (phase == Phase.BUFFERING) {
            if (last || body.bytes() >= policy.bufferRequest()) {
                lease(null);
            } else {
                downstream.requestMore();
            }
        }
    }

    private void requestSent() {
        upstream.channel().flush();
        if (!responseStarted) {
            client.responseDeadline.arm(responseTimeoutNanos());
        }
    }

    /** The route's response timeout, or what is left of a gRPC call's deadline when that is sooner. */
    private long responseTimeoutNanos() {
        long route = policy.responseTimeoutNanos();
        if (clientDeadlineNanos < 0) {
            return route;
        }
        long left = Math.max(0, clientDeadlineNanos - (System.nanoTime() - startNanos));
        clientDeadlineBinds = left < route;
        return clientDeadlineBinds ? left : route;
    }

    /** A part of the request the client side refused (body too large or too slow, bad chunking). */
    void onRequestRejected(RequestRejection rejection) {
        requestDone = true;
        if (phase == Phase.DONE) {
            return;
        }
        // The backend connection, if any, is left mid-request: out of sync.
        dropUpstream();
        if (phase == Phase.LOCAL) {
            return;
        }
        if (responseStarted) {
            abort();
        } else {
            answer(rejection.status(), rejection.reason(), localAnswerMeters());
        }
    }

    @Override
    public void onUpstreamRead(Object msg) {
        if (phase != Phase.RELAYING) {
            ReferenceCountUtil.release(msg);
            return;
        }
        responseSeen = true;
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
            fail(Failure.INVALID_RESPONSE, response.decoderResult().cause());
            return;
        }
        int code = response.status().code();
        if (code == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
            if (upgrade != null && requestDone) {
                switchToTunnel(response);
            } else {
                // Nobody asked to upgrade (or the request is not over): the backend is out of step.
                ReferenceCountUtil.release(response);
                fail(Failure.INVALID_RESPONSE, null);
            }
            return;
        }
        ResponseFilter.apply(response, routes.forwarding(), routes.actions(route), routes.sticky(route), server,
                stickyChoice);
        if (code < 200) {
            // 100 Continue and friends: passed on (if the client can take them); the final response follows.
            interim = true;
            downstream.writeInterim(response);
            return;
        }
        responseStarted = true;
        client.responseDeadline.disarm();
        body.release();
        status = code;
        upstreamReusable = HttpUtil.isKeepAlive(response)
                && ResponseFraming.isFramed(response, client.routeRequest.method().equals("HEAD"));
        downstream.writeHead(response, true);
    }

    private void onResponseContent(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (interim) {
            // The end of an interim response: nothing of it is for the client.
            content.release();
            interim = !last;
            return;
        }
        if (!responseStarted) {
            content.release();
            return;
        }
        if (content.decoderResult().isFailure()) {
            // A malformed chunk: the body cannot be trusted to its end.
            LOG.debug("response body from {} broken: {}", server, content.decoderResult().cause().toString());
            content.release();
            fail(Failure.TRUNCATED_RESPONSE, content.decoderResult().cause());
            return;
        }
        client.exchangeLog.addResponseBytes(content.content().readableBytes());
        if (!last) {
            downstream.writeContent(content);
            return;
        }
        responseDone = true;
        client.idleDeadline.disarm();
        snapshot.health().onSuccess(server);
        snapshot.health().onResponse(server, status);
        // Counted before the client can see the end of the response.
        complete();
        downstream.writeContent(content);
        UpstreamConnection connection = upstream;
        upstream = null;
        phase = Phase.DONE;
        // A backend that finished before the client's request did is out of step with it, and
        // bytes beyond the response's end answer nothing: either way the connection goes.
        upstreams.release(connection, upstreamReusable && requestDone && !connection.hasUnreadBytes());
        downstream.flush();
        downstream.finish();
    }

    @Override
    public void onUpstreamReadComplete() {
        downstream.flush();
        if (phase == Phase.RELAYING && upstream != null) {
            armIdle();
            if (downstream.isWritable()) {
                upstream.channel().read();
            }
        }
    }

    /** The client can take more response bytes again. */
    void onDownstreamWritable() {
        if (phase == Phase.RELAYING && upstream != null && !responseDone) {
            upstream.channel().read();
        }
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {
        if (writable && phase == Phase.RELAYING && !requestDone) {
            downstream.requestMore();
        }
    }

    @Override
    public void onUpstreamClosed(Throwable cause) {
        if (phase != Phase.RELAYING || upstream == null) {
            return;
        }
        upstream = null;
        if (responseStarted) {
            LOG.debug("{} closed mid-response", server);
            fail(Failure.TRUNCATED_RESPONSE, cause);
        } else if (cause instanceof UpstreamFailure.Unprocessed) {
            fail(Failure.REFUSED_STREAM, cause);
        } else if (upstreamReused && !responseSeen) {
            fail(Failure.STALE_CONNECTION, cause);
        } else {
            fail(Failure.CLOSED_BEFORE_RESPONSE, cause);
        }
    }

    /** The route's response timeout: the whole request went out, no response head came back. */
    void onResponseTimeout() {
        if (phase == Phase.RELAYING && !responseStarted && upstream != null) {
            LOG.debug("{} did not answer in time", server);
            fail(clientDeadlineBinds ? Failure.CLIENT_DEADLINE : Failure.RESPONSE_TIMEOUT,
                    UpstreamFailure.noResponseInTime(server));
        }
    }

    /** The route's response_idle timeout: the server said nothing for that long. */
    void onResponseIdle() {
        if (phase == Phase.RELAYING && upstream != null) {
            LOG.debug("{} was silent for longer than the route's response_idle", server);
            fail(Failure.RESPONSE_IDLE, UpstreamFailure.silent(server));
        }
    }

    private void armIdle() {
        client.idleDeadline.arm(policy.responseIdleNanos());
    }

    /** The backend agreed to switch protocols: the tunnel belongs to the downstream from here on. */
    private void switchToTunnel(HttpResponse response) {
        String agreed = response.headers().get(HttpHeaderNames.UPGRADE, upgrade);
        // For a 1xx that is hop-by-hop headers and Via only: the route's edits and pins are for final responses.
        ResponseFilter.apply(response, routes.forwarding(), routes.actions(route), routes.sticky(route), server,
                stickyChoice);
        UpgradeTunnel.keepUpgradeHeaders(response.headers(), agreed);
        disarmDeadlines();
        responseStarted = true;
        responseDone = true;
        status = response.status().code();
        body.release();
        complete();
        UpstreamConnection connection = upstream;
        upstream = null;
        connection.endLease();
        phase = Phase.DONE;
        downstream.openTunnel(response, connection);
    }

    // ---- failures ----------------------------------------------------------------------------

    /**
     * A try failed: passive health hears of it when the server is to blame, the request goes
     * again when the failure allows it, else the client gets the failure's status (or, with a
     * response under way, a cut connection).
     */
    private void fail(Failure failure, Throwable cause) {
        disarmDeadlines();
        dropUpstream();
        if (failure.reportsHealth && server != null) {
            snapshot.health().onFailure(server, cause != null ? cause : UpstreamFailure.of(failure, server));
        }
        if (!responseStarted
                && failure.mayRetry(body.isIntact(), RetryRules.isIdempotent(head.method()), retriesLeft,
                        freshRetryUsed)) {
            retry(failure);
            return;
        }
        if (responseStarted) {
            abortWith(cause instanceof UpstreamFailure reset ? reset.resetCode : -1);
        } else {
            answer(failure.status, failure.reason, meters, failure.grpcStatus);
        }
    }

    private void retry(Failure failure) {
        Server failed = server;
        if (failure.retry == Failure.Retry.FRESH_CONNECTION) {
            // The server never saw it: the same server, over a connection of its own this time.
            freshRetryUsed = true;
            LOG.debug("sending {} {} again on a new connection: a pooled one to {} was stale", head.method(),
                    head.uri(), failed);
            phase = Phase.LEASING;
            lease().connect(failed, null);
            return;
        }
        retriesLeft--;
        routes.retries(route).increment();
        LOG.debug("retrying {} {} after {} failed", head.method(), head.uri(), failed);
        lease(failed);
    }

    /** Runs a step that no handler's own guard covers (a listener, a timer, a queue wake-up). */
    @Override
    public void guarded(Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            onInternalError(e);
        }
    }

    /** A bug of ours surfaced while this exchange ran: 500 when nothing was sent yet, else a cut response. */
    @Override
    public void onInternalError(Throwable error) {
        if (phase == Phase.DONE) {
            return;
        }
        LOG.error("internal error in the exchange of {} {} from {}", head == null ? "-" : head.method(),
                head == null ? "-" : head.uri(), client.clientAddress, error);
        if (routes != null) {
            routes.internalErrors().increment();
        }
        disarmDeadlines();
        dropUpstream();
        if (responseStarted || phase == Phase.LOCAL) {
            abort();
        } else {
            answer(Failure.INTERNAL.status, Failure.INTERNAL.reason, localAnswerMeters());
        }
    }

    /** The client went away: nothing more can be written. */
    void onDownstreamClosed() {
        if (phase == Phase.DONE) {
            return;
        }
        disarmDeadlines();
        dropUpstream();
        // A queued wake-up or a connect in flight finds the exchange over.
        phase = Phase.DONE;
        complete();
    }

    private void dropUpstream() {
        if (upstream != null) {
            UpstreamConnection connection = upstream;
            upstream = null;
            upstreams.release(connection, false);
        }
    }

    private void abort() {
        abortWith(-1);
    }

    /** @param http2Error the code the server reset its stream with, passed on to an HTTP/2 client; -1: none */
    private void abortWith(long http2Error) {
        phase = Phase.DONE;
        complete();
        if (http2Error >= 0) {
            downstream.abort(http2Error);
        } else {
            downstream.abort();
        }
    }

    private void disarmDeadlines() {
        client.responseDeadline.disarm();
        client.idleDeadline.disarm();
    }

    // ---- local answers -----------------------------------------------------------------------

    /** Answers from the proxy itself; what is left of the request body is discarded. */
    @Override
    public void answer(HttpResponseStatus responseStatus, String message, RequestMeters requestMeters) {
        answer(responseStatus, message, requestMeters, GrpcStatus.of(responseStatus));
    }

    @Override
    public void exhausted(String message, RequestMeters requestMeters) {
        answer(HttpResponseStatus.SERVICE_UNAVAILABLE, message, requestMeters, GrpcStatus.RESOURCE_EXHAUSTED);
    }

    /**
     * A local answer: to a gRPC call, trailers-only with {@code grpcStatus} (metrics and the
     * access log still record the HTTP status it stands for); to anyone else, the plain one.
     */
    private void answer(HttpResponseStatus responseStatus, String message, RequestMeters requestMeters,
                        int grpcStatus) {
        if (head != null && GrpcStatus.isGrpc(head.headers())) {
            finishLocally(GrpcStatus.trailersOnly(downstream.alloc(), grpcStatus, message), requestMeters,
                    responseStatus.code());
            return;
        }
        finishLocally(LocalResponses.create(downstream.alloc(), responseStatus, message, false), requestMeters,
                responseStatus.code());
    }

    /** A route that answers itself (redirect, fixed response); its response header edits apply. */
    @Override
    public void replyAs(Route answering, LocalReplies reply) {
        FullHttpResponse response = reply.render(downstream.alloc(), client.routeRequest, client.scheme, false);
        routes.actions(answering).editResponse(response.headers());
        finishLocally(response, routes.noServerMeters(answering), response.status().code());
    }

    /** Whom a local answer is counted for: the server of the try, else the route, else the listener. */
    private RequestMeters localAnswerMeters() {
        if (meters != null) {
            return meters;
        }
        if (route != null) {
            return routes.noServerMeters(route);
        }
        return routes == null ? null : routes.unroutedMeters();
    }

    /** @param recordedStatus the status metrics and the access log record */
    private void finishLocally(FullHttpResponse response, RequestMeters requestMeters, int recordedStatus) {
        phase = Phase.LOCAL;
        disarmDeadlines();
        responseStarted = true;
        responseDone = true;
        status = recordedStatus;
        meters = requestMeters;
        complete();
        downstream.writeHead(response, false);
        downstream.flush();
        phase = Phase.DONE;
        downstream.finish();
    }

    // ---- complete ----------------------------------------------------------------------------

    /** Runs once, however the exchange ends: the slot goes back, metrics and the access log record it. */
    private void complete() {
        if (completed) {
            return;
        }
        completed = true;
        if (body != null) {
            body.release();
        }
        if (route != null) {
            // Admitted: the route's concurrency slot was taken.
            policy.concurrency().release();
        }
        if (server != null) {
            server.endRequest();
        }
        if (meters != null && status != 0) {
            long nanos = System.nanoTime() - startNanos;
            meters.record(status, nanos);
            client.exchangeLog.end(accessLog, client.rewriter.clientIp(), status, nanos, meters);
        }
        if (accessLog != null) {
            accessLog.release();
        }
    }
}
