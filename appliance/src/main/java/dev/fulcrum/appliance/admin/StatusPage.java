package dev.fulcrum.appliance.admin;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /status}: the status page. One self-contained HTML document (styles and script
 * inline, nothing fetched from elsewhere) that reads {@code /api/v1/status} and refreshes
 * itself; loaded from the jar once.
 */
public final class StatusPage implements AdminEndpoint {

    private static final String RESOURCE = "/dev/fulcrum/appliance/admin/status.html";

    private final String html;

    public StatusPage() {
        try (InputStream in = StatusPage.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the status page " + RESOURCE + " is missing from the jar");
            }
            html = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public FullHttpResponse handle(FullHttpRequest request, ByteBufAllocator alloc) {
        FullHttpResponse response = AdminResponses.text(alloc, HttpResponseStatus.OK, "text/html; charset=utf-8",
                html);
        // The page runs no script from elsewhere and is framed by no one.
        response.headers().set("Content-Security-Policy",
                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
                        + "frame-ancestors 'none'");
        response.headers().set("X-Content-Type-Options", "nosniff");
        return response;
    }
}
