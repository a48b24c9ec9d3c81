package dev.fulcrum.l7;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.ContentLengthNotAllowedException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.InvalidLineSeparatorException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http.TransferEncodingNotAllowedException;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses requests whose framing two parsers could read differently (the stuff of request
 * smuggling) and requests the decoder could not parse. The strict decoder settings refuse most
 * of it (bare LF, invalid header names and values, several or non-numeric Content-Length,
 * Content-Length beside Transfer-Encoding, Transfer-Encoding on HTTP/1.0, HTTP/0.9); this
 * guard turns those failures into answers and adds what the decoder lets through: a
 * Transfer-Encoding other than a lone {@code chunked}, versions other than 1.0 and 1.1, a
 * missing, repeated or invalid Host, and too many header fields.
 *
 * <p>A refused request becomes a {@link RequestRejection}; it and everything after it on the
 * connection is dropped, never forwarded, and the proxy closes the connection after answering.
 * Accepted heads tell the {@link RequestStreamGuard} how their body is framed.
 */
final class FramingGuard extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(FramingGuard.class);

    static final RequestRejection LINE_TOO_LONG =
            new RequestRejection(HttpResponseStatus.REQUEST_URI_TOO_LONG, "bad request: request line too long");
    static final RequestRejection HEADERS_TOO_LARGE = new RequestRejection(
            HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "bad request: request headers too large");
    static final RequestRejection TOO_MANY_HEADERS = new RequestRejection(
            HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "bad request: too many header fields");
    static final RequestRejection VERSION_NOT_SUPPORTED = new RequestRejection(
            HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "bad request: only HTTP/1.0 and HTTP/1.1 are supported");
    private static final RequestRejection MALFORMED = badRequest("malformed HTTP message");
    private static final RequestRejection BARE_LF = badRequest("line ending without CR (bare LF)");
    private static final RequestRejection CL_AND_TE = badRequest("both Content-Length and Transfer-Encoding");
    private static final RequestRejection SEVERAL_CL = badRequest("several Content-Length values");
    private static final RequestRejection INVALID_CL = badRequest("invalid Content-Length");
    private static final RequestRejection TE_NOT_CHUNKED = badRequest("unsupported Transfer-Encoding");
    private static final RequestRejection TE_ON_HTTP10 = badRequest("Transfer-Encoding in an HTTP/1.0 request");
    private static final RequestRejection HTTP09 = badRequest("request line without an HTTP version (HTTP/0.9)");
    private static final RequestRejection INVALID_VERSION = badRequest("invalid HTTP version");
    private static final RequestRejection INVALID_HEADER_NAME = badRequest("invalid header name");
    private static final RequestRejection INVALID_HEADER_VALUE = badRequest("invalid header value");
    private static final RequestRejection SEVERAL_HOSTS = badRequest("several Host headers");
    private static final RequestRejection MISSING_HOST = badRequest("missing Host header");
    private static final RequestRejection INVALID_HOST = badRequest("invalid Host header");
    private static final RequestRejection INVALID_CHUNK = badRequest("malformed chunked body");
    static final RequestRejection CHUNK_LINE_TOO_LONG = badRequest("chunk size line (chunk extension) too long");
    static final RequestRejection TRAILERS_TOO_LARGE = badRequest("trailer section too large");

    private final RequestStreamGuard streamGuard;
    private final int maxHeaders;
    private boolean refused;

    FramingGuard(RequestStreamGuard streamGuard, int maxHeaders) {
        this.streamGuard = streamGuard;
        this.maxHeaders = maxHeaders;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof RequestRejection) {
            // Refused before the decoder (obs-fold, timeouts): nothing after it counts either.
            refused = true;
            ctx.fireChannelRead(msg);
            return;
        }
        RequestRejection rejection = null;
        if (msg instanceof HttpObject object) {
            DecoderResult result = object.decoderResult();
            if (result.isFailure()) {
                rejection = decoderFailure(result.cause(), msg instanceof HttpRequest);
            } else if (msg instanceof HttpRequest request) {
                rejection = checkHead(request);
                if (rejection == null) {
                    streamGuard.expectBody(HttpUtil.isTransferEncodingChunked(request)
                            ? -1 : HttpUtil.getContentLength(request, 0L));
                }
            }
        }
        if (rejection == null) {
            ctx.fireChannelRead(msg);
            return;
        }
        refused = true;
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} refused: {} ({})", ctx.channel().remoteAddress(), rejection.reason(),
                    msg instanceof HttpObject o && o.decoderResult().isFailure() ? o.decoderResult().cause() : "");
        }
        ReferenceCountUtil.release(msg);
        ctx.fireChannelRead(rejection);
    }

    /** Names what the decoder refused, from its exception types and (where it has none) messages. */
    static RequestRejection decoderFailure(Throwable cause, boolean head) {
        if (cause instanceof TooLongHttpLineException) {
            // Past the head, the only lines are chunk sizes: what makes one too long is an extension.
            return head ? LINE_TOO_LONG : CHUNK_LINE_TOO_LONG;
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return head ? HEADERS_TOO_LARGE : TRAILERS_TOO_LARGE;
        }
        if (cause instanceof InvalidLineSeparatorException) {
            return BARE_LF;
        }
        if (cause instanceof ContentLengthNotAllowedException) {
            return CL_AND_TE;
        }
        if (cause instanceof TransferEncodingNotAllowedException) {
            return TE_ON_HTTP10;
        }
        if (!head) {
            return INVALID_CHUNK;
        }
        String message = cause.getMessage() == null ? "" : cause.getMessage();
        if (message.contains("HTTP/0.9")) {
            return HTTP09;
        }
        if (message.startsWith("Multiple Content-Length")) {
            return SEVERAL_CL;
        }
        if (message.startsWith("Content-Length")) {
            return INVALID_CL;
        }
        if (message.contains("chunked") || message.contains("transfer coding") || message.contains("Transfer-Encoding")) {
            return TE_NOT_CHUNKED;
        }
        if (message.contains("version")) {
            return INVALID_VERSION;
        }
        if (message.contains("header name") || message.startsWith("empty headers") || message.startsWith("No colon")) {
            return INVALID_HEADER_NAME;
        }
        if (message.startsWith("Validation failed for header")) {
            return INVALID_HEADER_VALUE;
        }
        return MALFORMED;
    }

    /** Checked again here although the strict decoder refuses most of it: this is the line we hold. */
    RequestRejection checkHead(HttpRequest request) {
        HttpVersion version = request.protocolVersion();
        if (!version.equals(HttpVersion.HTTP_1_1) && !version.equals(HttpVersion.HTTP_1_0)) {
            return VERSION_NOT_SUPPORTED;
        }
        HttpHeaders headers = request.headers();
        if (headers.size() > maxHeaders) {
            return TOO_MANY_HEADERS;
        }
        List<String> contentLength = headers.getAll(HttpHeaderNames.CONTENT_LENGTH);
        List<String> transferEncoding = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (!contentLength.isEmpty() && !transferEncoding.isEmpty()) {
            return CL_AND_TE;
        }
        if (contentLength.size() > 1 || !contentLength.isEmpty() && contentLength.get(0).indexOf(',') >= 0) {
            return SEVERAL_CL;
        }
        if (!transferEncoding.isEmpty() && version.equals(HttpVersion.HTTP_1_0)) {
            return TE_ON_HTTP10;
        }
        if (transferEncoding.size() > 1
                || !transferEncoding.isEmpty() && !transferEncoding.get(0).trim().equalsIgnoreCase("chunked")) {
            return TE_NOT_CHUNKED;
        }
        List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) {
            return SEVERAL_HOSTS;
        }
        if (hosts.isEmpty()) {
            return version.equals(HttpVersion.HTTP_1_1) ? MISSING_HOST : null;
        }
        return Authority.isValidHost(hosts.get(0)) ? null : INVALID_HOST;
    }

    private static RequestRejection badRequest(String why) {
        return new RequestRejection(HttpResponseStatus.BAD_REQUEST, "bad request: " + why);
    }
}
