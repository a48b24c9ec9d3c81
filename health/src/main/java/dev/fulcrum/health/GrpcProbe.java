package dev.fulcrum.health;

import dev.fulcrum.config.HealthCheckConfig;
import dev.fulcrum.lbcore.pool.Server;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.util.concurrent.Promise;

/**
 * One grpc.health.v1 {@code Health/Check} call over HTTP/2: over a {@link TlsProbe} with ALPN h2
 * on a pool with tls, else h2c with prior knowledge. Passes when the answer is HTTP 200, a
 * {@code HealthCheckResponse} with status SERVING and {@code grpc-status} 0. As the HTTP probe
 * does, each check opens its own connection, which the runner closes after the verdict.
 */
final class GrpcProbe implements Probe {

    /** Headers and trailers of a health answer are small; this bounds what the server may send. */
    private static final int MAX_HEADER_LIST = 8 * 1024;

    private final TlsProbe tls;
    private final String service;
    private final String timeout;

    /** @param tls the handshake to do first (a pool with tls, offering h2 by ALPN), or null (h2c) */
    GrpcProbe(HealthCheckConfig config, TlsProbe tls) {
        this.tls = tls;
        this.service = config.service();
        this.timeout = GrpcWire.timeout(config.timeout());
    }

    @Override
    public void prepare(ChannelPipeline pipeline, Server server, Promise<CheckResult> result) {
        if (tls != null) {
            tls.prepare(pipeline, server, result);
        }
        pipeline.addLast(Http2FrameCodecBuilder.forClient()
                        .initialSettings(Http2Settings.defaultSettings()
                                .pushEnabled(false)
                                .maxHeaderListSize(MAX_HEADER_LIST))
                        // Closing after the verdict must not wait for the call to end: that may be never.
                        .gracefulShutdownTimeoutMillis(0)
                        .build())
                .addLast(new GrpcHealthCall(server.authority(), tls != null, service, timeout, result));
    }
}
