package dev.fulcrum.appliance.admin;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;

/** {@code GET /metrics}: the Prometheus text format, or OpenMetrics when the scraper asks for it. */
public final class MetricsEndpoint implements AdminEndpoint {

    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS_TEXT = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final PrometheusMeterRegistry registry;

    public MetricsEndpoint(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public FullHttpResponse handle(FullHttpRequest request, ByteBufAllocator alloc) {
        String accept = request.headers().get(HttpHeaderNames.ACCEPT, "");
        String contentType = accept.contains("application/openmetrics-text") ? OPENMETRICS_TEXT : PROMETHEUS_TEXT;
        return AdminResponses.text(alloc, HttpResponseStatus.OK, contentType, registry.scrape(contentType));
    }
}
