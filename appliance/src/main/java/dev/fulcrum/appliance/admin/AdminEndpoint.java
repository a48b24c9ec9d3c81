package dev.fulcrum.appliance.admin;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.buffer.ByteBufAllocator;

/** One path of the admin listener. Runs on the admin event loop, never on the data path. */
@FunctionalInterface
public interface AdminEndpoint {

    /** Answers a whole request; the caller releases the request and writes the response. */
    FullHttpResponse handle(FullHttpRequest request, ByteBufAllocator alloc);
}
