/**
 * The HTTP frontend and the exchange its protocols share.
 *
 * <h2>The pipeline of a client connection</h2>
 * {@link dev.fulcrum.l7.HttpFrontendInitializer} builds it, one named stage per concern:
 * [TLS] → {@code RequestStreamGuard} (raw bytes: obs-fold, client clocks, min_body_rate, bytes
 * held behind an upgrade) → {@code HttpServerCodec} (strict, size limits) → {@code FramingGuard}
 * (ambiguous framing: 400, never forwarded) → {@code Http1ConnectionHandler}. The HTTP/1 handler
 * keeps only what is HTTP/1's own: pipelining, keep-alive and HTTP/1.0 rules (no 1xx to a 1.0
 * client), the client write timeout, lingering close ({@code LingeringClose}) and the upgrade
 * switch ({@code UpgradeTunnel}, {@code TunnelRelay}). It is the {@code Downstream} of one
 * {@code Exchange} per request.
 *
 * <p>Unless the listener says {@code http2: false}, the protocol is chosen first: by ALPN on
 * https ({@code AlpnSwitch}), by the first bytes on http ({@code ProtocolDetector}: the HTTP/2
 * preface or not). HTTP/2 ({@code Http2Frontend}): {@code Http2FrameGuard} (raw frames:
 * stream-id order, control-frame floods) → Netty's frame codec (settings and abuse limits from
 * {@code http2:}) → the stream multiplexer → {@code Http2ClientSession} (connection window,
 * idle, two-step GOAWAY drain). Each stream has an {@code Http2StreamHandler}, the
 * {@code Downstream} of its one exchange; {@code Http2RequestHead} refuses a header block an
 * HTTP/1.1 backend could read differently, {@code Http2ResponseHead} turns a head back into a
 * header block, {@code CertificateCoverage} decides a 421.
 *
 * <h2>HTTP/2 to servers</h2>
 * A pool with {@code protocol: http2} (or {@code auto}) leases a stream instead of a connection:
 * {@code UpstreamPool.connectForStream} opens an {@code Http2UpstreamSession} per server and
 * event loop (no stream before the server's SETTINGS, its stream limit obeyed, retired on
 * GOAWAY or {@code max_requests}, PING when silent), and each stream is an
 * {@code UpstreamConnection} that speaks HTTP/1 objects through Netty's frame-to-object codec,
 * so the exchange relays it as it relays an HTTP/1 connection. {@code GrpcStatus} turns the
 * proxy's own answers to a gRPC call into trailers-only responses.
 *
 * <h2>The exchange: one per request, in phases</h2>
 * Created at the request head, confined to its event loop, discarded at its end. Nothing in it
 * knows which protocol the client speaks: it talks to a {@code Downstream} (write head, write
 * content, flush, writable, ask for more, finish, abort, open a tunnel).
 * <pre>
 * phase            what                                                    where
 * admit            route match, body limit, local replies (respond,         Exchange.admit, Router,
 *                  redirect, 4xx), the route's concurrency slot             LocalReplies, ConcurrencyLimit
 * request filter   path rewrite, forwarding headers, route header edits,    Exchange.filterRequest,
 *                  sticky strip, Expect of HTTP/1.0 dropped                 RequestRewriter, PoolStickiness
 * buffer           up to buffer_request of the body read before a server    RequestBodyBuffer
 *                  is chosen, and kept for a retry
 * select peer      sticky pin, balancer on the request as received, the     PeerSelector, RetryRules
 *                  servers to avoid; idle connection of a full server
 * lease            idle connection of this loop and server, a new one, or   Exchange.lease, UpstreamPool,
 *                  the pool's queue (a released connection feeds a waiter   ConnectionQueue,
 *                  of its own loop); for an HTTP/2 pool, a stream            Http2UpstreamSession
 * relay            request body out, response back, backpressure both       Exchange, UpstreamConnection,
 *                  ways; timeouts response, response_idle                   UpstreamResponseDecoder
 * response filter  hop-by-hop, Via, sticky Set-Cookie, response edits       ResponseFilter
 * complete         exactly once: metrics, access log, slot and in-flight    Exchange.complete
 *                  count released
 * </pre>
 * Every failure goes through one classifier, {@code Failure}: where it came from, the status
 * a client gets when nothing was sent yet, whether passive health hears of it, and when the
 * request may go again (a connect failure, or a stale pooled connection that failed at once,
 * with the whole request still in hand; a stream the server refused or left above its GOAWAY;
 * an idempotent request after a drop). A response under
 * way is cut short instead ({@code Downstream.abort}), never ended as if complete.
 */
package dev.fulcrum.l7;
