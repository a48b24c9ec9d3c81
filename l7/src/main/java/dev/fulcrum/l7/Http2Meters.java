package dev.fulcrum.l7;

import dev.fulcrum.lbcore.metrics.MeterScope;
import dev.fulcrum.lbcore.metrics.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.http2.Http2Error;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP/2 meters of one listener, made when it starts and removed when it goes: every
 * counter a stream or connection can touch is made here once, so nothing is looked up per
 * frame. Error codes outside RFC 9113's list are counted as {@code UNKNOWN}.
 */
final class Http2Meters implements AutoCloseable {

    private static final Http2Error[] CODES = Http2Error.values();
    private static final String UNKNOWN = "UNKNOWN";

    private final MeterScope scope;
    final Counter streams;
    final Counter flowControlStalls;
    final Counter http1Connections;
    final Counter http2Connections;
    private final AtomicInteger activeStreams = new AtomicInteger();
    // [side][code], the last entry of each side for unknown codes.
    private final Counter[][] resets;
    private final Counter[][] goAways;
    // By grpc-status 0..16, the last for anything else.
    private final Counter[] grpcResponses = new Counter[GrpcStatus.MAX + 2];

    Http2Meters(String listener, MeterRegistry registry) {
        this.scope = MeterScope.open(registry != null ? registry : new SimpleMeterRegistry());
        streams = scope.register(Counter.builder(MetricNames.HTTP2_STREAMS).tag(MetricNames.TAG_LISTENER, listener)
                .description("HTTP/2 streams opened by clients")::register);
        flowControlStalls = scope.register(Counter.builder(MetricNames.HTTP2_FLOW_CONTROL_STALLS)
                .tag(MetricNames.TAG_LISTENER, listener)
                .description("Responses held back because the client's HTTP/2 flow-control window was full")::register);
        http1Connections = connections(listener, "http/1.1");
        http2Connections = connections(listener, "h2");
        scope.replace(Gauge.builder(MetricNames.HTTP2_STREAMS_ACTIVE, activeStreams, AtomicInteger::get)
                .tag(MetricNames.TAG_LISTENER, listener).description("HTTP/2 streams open now")::register);
        resets = bySideAndCode(MetricNames.HTTP2_RESETS, listener, "RST_STREAM frames, by who sent them and code");
        goAways = bySideAndCode(MetricNames.HTTP2_GOAWAYS, listener, "GOAWAY frames, by who sent them and code");
        for (int code = 0; code < grpcResponses.length; code++) {
            String label = code <= GrpcStatus.MAX ? Integer.toString(code) : UNKNOWN;
            grpcResponses[code] = scope.register(Counter.builder(MetricNames.GRPC_RESPONSES)
                    .tag(MetricNames.TAG_LISTENER, listener).tag(MetricNames.TAG_GRPC_STATUS, label)
                    .description("gRPC calls answered, by the grpc-status the client got")::register);
        }
    }

    /** A gRPC call ended with this grpc-status (as written: a number, or anything else). */
    void grpcResponse(String grpcStatus) {
        int code = GrpcStatus.MAX + 1;
        if (grpcStatus != null && grpcStatus.length() <= 2) {
            try {
                int parsed = Integer.parseInt(grpcStatus);
                if (parsed >= 0 && parsed <= GrpcStatus.MAX) {
                    code = parsed;
                }
            } catch (NumberFormatException notANumber) {
                // counted as unknown
            }
        }
        grpcResponses[code].increment();
    }

    private Counter connections(String listener, String protocol) {
        return scope.register(Counter.builder(MetricNames.HTTP_CONNECTIONS).tag(MetricNames.TAG_LISTENER, listener)
                .tag(MetricNames.TAG_PROTOCOL, protocol).description("HTTP client connections accepted")::register);
    }

    private Counter[][] bySideAndCode(String name, String listener, String description) {
        String[] sides = {MetricNames.SIDE_CLIENT, MetricNames.SIDE_PROXY};
        Counter[][] counters = new Counter[2][CODES.length + 1];
        for (int side = 0; side < 2; side++) {
            for (int code = 0; code <= CODES.length; code++) {
                String label = code < CODES.length ? CODES[code].name() : UNKNOWN;
                counters[side][code] = scope.register(Counter.builder(name).tag(MetricNames.TAG_LISTENER, listener)
                        .tag(MetricNames.TAG_SIDE, sides[side]).tag(MetricNames.TAG_CODE, label)
                        .description(description)::register);
            }
        }
        return counters;
    }

    void streamOpened() {
        streams.increment();
        activeStreams.incrementAndGet();
    }

    void streamClosed() {
        activeStreams.decrementAndGet();
    }

    void reset(boolean byClient, long code) {
        resets[byClient ? 0 : 1][index(code)].increment();
    }

    void goAway(boolean byClient, long code) {
        goAways[byClient ? 0 : 1][index(code)].increment();
    }

    private static int index(long code) {
        // Http2Error codes are 0..n in order.
        return code >= 0 && code < CODES.length ? (int) code : CODES.length;
    }

    @Override
    public void close() {
        scope.close();
    }
}
