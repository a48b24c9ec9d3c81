package dev.fulcrum.l7;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * Protocol upgrades through the proxy (RFC 9110 7.8): an HTTP/1.1 request asking to
 * upgrade keeps its Upgrade and Connection headers on the way to the backend, and when the
 * backend answers 101 both connections stop speaking HTTP and become a byte tunnel.
 *
 * <p>h2c is not passed: this proxy speaks HTTP/1.1 to backends and its HTTP2-Settings
 * header is hop-by-hop, so the backend could not take it up anyway.
 */
final class UpgradeTunnel {

    private static final AsciiString H2C = AsciiString.cached("h2c");

    private UpgradeTunnel() {
    }

    /** The protocol a request asks to switch to, or null when it asks for none we pass. */
    static String requestedUpgrade(HttpRequest request) {
        HttpHeaders headers = request.headers();
        String upgrade = headers.get(HttpHeaderNames.UPGRADE);
        if (upgrade == null || !request.protocolVersion().equals(HttpVersion.HTTP_1_1)
                || !headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                || H2C.contentEqualsIgnoreCase(upgrade.trim())
                || !HttpMethod.GET.equals(request.method())) {
            return null;
        }
        return upgrade;
    }

    /** Puts back what hop-by-hop stripping removed, for this one hop. */
    static void keepUpgradeHeaders(HttpHeaders headers, String upgrade) {
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        headers.set(HttpHeaderNames.UPGRADE, upgrade);
    }

    /**
     * Turns both pipelines into relays. Call on the shared event loop once the 101 has been
     * written to the client (the HTTP encoder turned it into bytes at the write call). Bytes
     * the HTTP decoders held beyond the upgrade flow into the relays as the decoders go, and
     * what the client sent behind its upgrade request ({@code heldFromClient}, may be null)
     * goes to the backend first. Closed when nothing passes either way for {@code idleNanos}.
     */
    static void open(Channel client, Channel backend, ByteBuf heldFromClient, long idleNanos) {
        TunnelRelay.IdleClock clock = new TunnelRelay.IdleClock(client, backend, idleNanos);
        switchToRelay(client.pipeline(), HttpFrontendInitializer.PROXY, HttpFrontendInitializer.HTTP_STAGES,
                new TunnelRelay(backend, clock));
        switchToRelay(backend.pipeline(), UpstreamPool.UPSTREAM, UpstreamPool.HTTP_STAGES,
                new TunnelRelay(client, clock));
        if (heldFromClient != null) {
            // Sent by the client right behind its upgrade request, before the answer came; written
            // once the HTTP encoder is gone, which would refuse raw bytes.
            backend.writeAndFlush(heldFromClient);
        }
        clock.touch();
        client.read();
        backend.read();
    }

    /**
     * Replaces the handler that spoke HTTP with the relay, then drops the HTTP stages in
     * front of it, decoders last so that the bytes they hold reach the relay. Anything else
     * (a TLS handler, say) stays.
     */
    private static void switchToRelay(ChannelPipeline pipeline, String handler, List<String> httpStages,
                                      TunnelRelay relay) {
        pipeline.replace(handler, "tunnel", relay);
        for (String stage : httpStages) {
            if (pipeline.get(stage) != null) {
                pipeline.remove(stage);
            }
        }
    }
}
