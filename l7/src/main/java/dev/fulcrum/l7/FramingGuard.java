package dev.fulcrum.l7;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses requests whose framing two parsers could read differently (the stuff of request
 * smuggling) and requests the decoder could not parse: both Content-Length and
 * Transfer-Encoding, several Content-Length, a Transfer-Encoding other than {@code chunked},
 * a missing or repeated Host. A refused request becomes a {@link RequestRejection} (400, or
 * 414/431 for size limits); it and everything after it on the connection is dropped, never
 * forwarded, and the proxy closes the connection after answering.
 */
final class FramingGuard extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(FramingGuard.class);

    private boolean refused;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        RequestRejection rejection = null;
        if (msg instanceof HttpObject object) {
            DecoderResult result = object.decoderResult();
            if (result.isFailure()) {
                rejection = decoderFailure(result.cause());
            } else if (msg instanceof HttpRequest request) {
                rejection = checkFraming(request);
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

    private static RequestRejection decoderFailure(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return new RequestRejection(HttpResponseStatus.REQUEST_URI_TOO_LONG, "bad request: request line too long");
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return new RequestRejection(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                    "bad request: request headers too large");
        }
        return new RequestRejection(HttpResponseStatus.BAD_REQUEST, "bad request: malformed HTTP message");
    }

    /** Checked again here although the strict decoder refuses most of it: this is the line we hold. */
    static RequestRejection checkFraming(HttpRequest request) {
        HttpHeaders headers = request.headers();
        List<String> contentLength = headers.getAll(HttpHeaderNames.CONTENT_LENGTH);
        List<String> transferEncoding = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (!contentLength.isEmpty() && !transferEncoding.isEmpty()) {
            return badRequest("both Content-Length and Transfer-Encoding");
        }
        if (contentLength.size() > 1 || !contentLength.isEmpty() && contentLength.get(0).indexOf(',') >= 0) {
            return badRequest("several Content-Length values");
        }
        if (transferEncoding.size() > 1
                || !transferEncoding.isEmpty() && !transferEncoding.get(0).trim().equalsIgnoreCase("chunked")) {
            return badRequest("unsupported Transfer-Encoding");
        }
        int hosts = headers.getAll(HttpHeaderNames.HOST).size();
        if (hosts > 1) {
            return badRequest("several Host headers");
        }
        if (hosts == 0 && request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
            return badRequest("missing Host header");
        }
        return null;
    }

    private static RequestRejection badRequest(String why) {
        return new RequestRejection(HttpResponseStatus.BAD_REQUEST, "bad request: " + why);
    }
}
