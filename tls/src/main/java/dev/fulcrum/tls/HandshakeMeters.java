package dev.fulcrum.tls;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.internal.tcnative.SSL;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import javax.net.ssl.SSLSession;

/**
 * Counts a listener's server handshakes by protocol, cipher and result, and those that resumed
 * a session. Counters are cached by their tags, so a handshake costs one map lookup, not a
 * registry lookup.
 */
final class HandshakeMeters {

    private record Key(String protocol, String cipher, String result) {
    }

    private final String listener;
    private final MeterRegistry registry;
    private final ConcurrentMap<Key, Counter> counters = new ConcurrentHashMap<>();
    private final ChannelHandler handler = new Handler();
    private final Counter resumed;

    HandshakeMeters(String listener, MeterRegistry registry) {
        this.listener = listener;
        this.registry = registry;
        // Registered up front: a rate of resumptions needs the zero before the first one.
        this.resumed = Counter.builder(TlsMetricNames.SESSIONS_RESUMED)
                .description("TLS handshakes with clients that resumed a session")
                .tag(TlsMetricNames.TAG_LISTENER, listener)
                .register(registry);
    }

    /** The handler to put right after the TLS handler; shared by every connection of the listener. */
    ChannelHandler handler() {
        return handler;
    }

    void count(String protocol, String cipher, String result) {
        counters.computeIfAbsent(new Key(protocol, cipher, result), k -> Counter.builder(TlsMetricNames.HANDSHAKES)
                .description("TLS handshakes with clients")
                .tag(TlsMetricNames.TAG_LISTENER, listener)
                .tag(TlsMetricNames.TAG_PROTOCOL, k.protocol())
                .tag(TlsMetricNames.TAG_CIPHER, k.cipher())
                .tag(TlsMetricNames.TAG_RESULT, k.result())
                .register(registry)).increment();
    }

    /** BoringSSL knows whether it resumed; the JDK's engine has no way to say, so never there. */
    private static boolean resumedSession(SslHandler ssl) {
        if (ssl.engine() instanceof ReferenceCountedOpenSslEngine engine) {
            long pointer = engine.sslPointer();
            return pointer != 0 && SSL.isSessionReused(pointer);
        }
        return false;
    }

    @ChannelHandler.Sharable
    private final class Handler extends ChannelInboundHandlerAdapter {

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            boolean done = false;
            if (evt instanceof SslHandshakeCompletionEvent) {
                SslHandshakeCompletionEvent event = (SslHandshakeCompletionEvent) evt;
                SslHandler ssl = ctx.pipeline().get(SslHandler.class);
                if (event.isSuccess() && ssl != null) {
                    SSLSession session = ssl.engine().getSession();
                    count(session.getProtocol(), session.getCipherSuite(), TlsMetricNames.SUCCESS);
                    if (resumedSession(ssl)) {
                        resumed.increment();
                    }
                } else {
                    count(TlsMetricNames.NONE, TlsMetricNames.NONE, TlsMetricNames.FAILURE);
                }
                done = true;
            } else if (evt instanceof SniCompletionEvent
                    && ((SniCompletionEvent) evt).cause() instanceof SslHandshakeTimeoutException) {
                // A client that never finished its ClientHello: no TLS handler ever ran to report it.
                count(TlsMetricNames.NONE, TlsMetricNames.NONE, TlsMetricNames.FAILURE);
                done = true;
            }
            ctx.fireUserEventTriggered(evt);
            if (done && ctx.pipeline().context(this) != null) {
                // One handshake per connection: stay out of the way of everything after it.
                ctx.pipeline().remove(this);
            }
        }
    }
}
