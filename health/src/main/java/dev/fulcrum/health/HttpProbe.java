package dev.fulcrum.health;

import dev.fulcrum.config.HealthCheckConfig;
import dev.fulcrum.config.StatusRange;
import dev.fulcrum.lbcore.pool.Server;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.concurrent.Promise;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;

/**
 * One HTTP/1.1 request ({@code Connection: close}), plain or over a {@link TlsProbe}: passes
 * when the status is expected and, if the check names one, the body's first 64 KiB contain
 * the expected text.
 */
final class HttpProbe implements Probe {

    static final String USER_AGENT = "fulcrum-health-check";

    private static final int MAX_STATUS_LINE = 4 * 1024;
    private static final int MAX_HEADERS = 16 * 1024;
    private static final int MAX_CHUNK = 16 * 1024;

    private final TlsProbe tls;
    private final HealthCheckConfig config;
    private final HttpMethod method;
    private final String expectedStatus;
    private final byte[] expectedBody;

    /** @param tls the handshake to do first (https), or null (http) */
    HttpProbe(HealthCheckConfig config, TlsProbe tls) {
        this.tls = tls;
        this.config = config;
        this.method = HttpMethod.valueOf(config.method());
        this.expectedStatus = config.expectStatus().stream().map(StatusRange::toString)
                .collect(Collectors.joining(", "));
        this.expectedBody = config.expectBody().map(text -> text.getBytes(StandardCharsets.UTF_8)).orElse(null);
    }

    @Override
    public void prepare(ChannelPipeline pipeline, Server server, Promise<CheckResult> result) {
        if (tls != null) {
            tls.prepare(pipeline, server, result);
        }
        String host = config.host().orElse(server.authority());
        pipeline.addLast(new HttpClientCodec(decoderConfig(), false, false))
                .addLast(new HttpResponseCheck(this, host, result));
    }

    /** Strict parsing, small bounded status line, headers and chunks: a check reads little. */
    private static HttpDecoderConfig decoderConfig() {
        return new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_STATUS_LINE)
                .setMaxHeaderSize(MAX_HEADERS)
                .setMaxChunkSize(MAX_CHUNK)
                .setStrictLineParsing(true)
                .setValidateHeaders(true)
                .setUseRfc9112TransferEncoding(true);
    }

    HttpMethod method() {
        return method;
    }

    String path() {
        return config.path();
    }

    boolean expects(int status) {
        return config.expects(status);
    }

    /** The expected statuses as configured: "200-399", "200, 204". */
    String expectedStatus() {
        return expectedStatus;
    }

    /** A matcher for the expected body text, or null when any body passes. */
    BodyMatcher bodyMatcher() {
        return expectedBody == null ? null : new BodyMatcher(expectedBody);
    }

    /** How a failed body search is reported: {@code body lacks "ok"}. */
    String bodyLacks() {
        return "body lacks \"" + config.expectBody().orElse("") + "\"";
    }
}
