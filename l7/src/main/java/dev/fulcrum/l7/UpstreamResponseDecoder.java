package dev.fulcrum.l7;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpStatusClass;
import java.util.List;

/**
 * Reads a backend's responses, and what a pooled connection must not carry: bytes beyond the
 * end of a response ({@link #hasUnreadBytes()}), or any byte while no request is out. Such a
 * connection is out of step with its server, and reused it would hand the next client the
 * rest of somebody else's response; it is closed instead. Knows that a response to HEAD has
 * no body (HttpClientCodec's job, which keeps that to itself).
 */
final class UpstreamResponseDecoder extends HttpResponseDecoder {

    private UpstreamConnection connection;
    private boolean headRequest;

    UpstreamResponseDecoder(HttpDecoderConfig config) {
        super(config);
    }

    void bind(UpstreamConnection owner) {
        this.connection = owner;
    }

    /** The request now going out; a response to HEAD ends at its head. */
    void expectResponseTo(HttpMethod method) {
        headRequest = HttpMethod.HEAD.equals(method);
    }

    /** Bytes received but not part of any response read so far. */
    boolean hasUnreadBytes() {
        return actualReadableBytes() > 0;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
        if (connection != null && !connection.isLeased() && buffer.isReadable()) {
            // Nobody asked: the connection is out of step with its server.
            buffer.skipBytes(buffer.readableBytes());
            ctx.close();
            return;
        }
        super.decode(ctx, buffer, out);
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
        if (headRequest && msg instanceof HttpResponse response
                && response.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
            return true;
        }
        return super.isContentAlwaysEmpty(msg);
    }
}
