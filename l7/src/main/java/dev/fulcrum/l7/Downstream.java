package dev.fulcrum.l7;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;

/**
 * The client side of one {@link Exchange}, as the exchange sees it: where the response goes
 * and where more of the request comes from. Implemented by the protocol's connection (or
 * stream) handler, which keeps what is its own (for HTTP/1: keep-alive, pipelining, HTTP/1.0
 * rules, the upgrade switch); the exchange never learns which protocol the client speaks.
 * Every call runs on {@link #eventLoop()}.
 */
interface Downstream {

    EventLoop eventLoop();

    ByteBufAllocator alloc();

    /**
     * An interim (1xx) response. The downstream may drop it when its client cannot take one
     * (an HTTP/1.0 client).
     */
    void writeInterim(HttpResponse interim);

    /**
     * The final response head (a {@code FullHttpResponse} is head and body at once).
     *
     * @param readsRequestBody false when the exchange will discard what is left of the request
     *     body (a local answer): the downstream then closes after the response rather than wait
     */
    void writeHead(HttpResponse head, boolean readsRequestBody);

    /** Response body; a {@code LastHttpContent} ends the response. Ownership passes. */
    void writeContent(HttpContent content);

    void flush();

    /** Whether the client takes response bytes as fast as they come. */
    boolean isWritable();

    /** The exchange can take more request body: ask the client for it. */
    void requestMore();

    /** The response was written whole: the exchange is over for the client side. */
    void finish();

    /**
     * The response cannot be completed: the client must see that it did not end well (a
     * closed connection, no final chunk; a reset stream).
     */
    void abort();

    /**
     * {@link #abort()}, saying why in HTTP/2's terms: the code a backend reset its stream
     * with (a gRPC server's CANCEL, say) goes on to an HTTP/2 client; HTTP/1 just closes.
     */
    default void abort(long http2Error) {
        abort();
    }

    /**
     * The backend agreed to switch protocols: write its 101 and turn both connections into a
     * byte tunnel. The backend connection is the downstream's from now on.
     */
    void openTunnel(HttpResponse switching, UpstreamConnection upstream);
}
