package dev.fulcrum.tls;

import dev.fulcrum.config.CertificateConfig;
import dev.fulcrum.config.ListenerTls;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS for one listener: a server context per certificate, chosen by the client's SNI name.
 * The first certificate in the listener's order answers clients that send no name or an unknown
 * one. {@link #reload()} swaps all contexts at once for new handshakes; connections already
 * established keep their session.
 *
 * <p>Session tickets with BoringSSL (the JDK provider keeps and rotates its own ticket keys,
 * out of our hands): keys are made at build and replaced every
 * {@link ListenerTls#ticketKeyRotation()}; the previous key is kept as a second key so a ticket
 * resumes for one to two periods. Keys live in memory only, so a client that moves to the other
 * node of an HA pair does a full handshake there, unless {@code session_ticket_key_file} names a
 * secret both nodes share: then each period's keys are derived from it and the period's number,
 * so nodes with the same file and synchronised clocks hold the same keys and resume each other's
 * sessions (see {@link TicketKeys}).
 */
public final class ServerTls implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);

    private final String listener;
    private final List<CertificateConfig> certificates;
    private final ListenerTls settings;
    private final List<String> alpn;
    private final SslProvider provider;
    private final MeterRegistry registry;
    private final HandshakeMeters handshakes;
    private final AtomicReference<ServerContexts> contexts = new AtomicReference<>();
    /** Held while contexts are swapped or ticket keys rotated, so new contexts never miss a key. */
    private final Object swapLock = new Object();
    private final TicketKeys ticketKeys;
    private final ScheduledExecutorService rotation;
    private final List<Meter> ownMeters = new ArrayList<>();

    private ServerTls(String listener, List<CertificateConfig> certificates, ListenerTls settings, List<String> alpn,
                      SslProvider provider, MeterRegistry registry, ServerContexts initial) {
        this.listener = listener;
        this.certificates = List.copyOf(certificates);
        this.settings = settings;
        this.alpn = List.copyOf(alpn);
        this.provider = provider;
        this.registry = registry;
        this.handshakes = new HandshakeMeters(listener, registry);
        this.ticketKeys = provider == SslProvider.JDK ? null : ticketKeys(settings);
        if (ticketKeys != null) {
            ticketKeys.applyTo(initial.contexts());
        }
        contexts.set(initial);
        this.rotation = startRotation();
        registerGauges();
    }

    public static ServerTls build(String listener, List<CertificateConfig> certificates, ListenerTls settings,
                                  List<String> alpn, MeterRegistry registry) throws TlsConfigException {
        return build(listener, certificates, settings, alpn, registry, TlsProvider.select());
    }

    /** With a chosen provider: tests use it to exercise the JDK path next to BoringSSL. */
    static ServerTls build(String listener, List<CertificateConfig> certificates, ListenerTls settings,
                           List<String> alpn, MeterRegistry registry, SslProvider provider)
            throws TlsConfigException {
        ServerContexts initial = ServerContexts.build(listener, certificates, settings, alpn, provider);
        return new ServerTls(listener, certificates, settings, alpn, provider, registry, initial);
    }

    /**
     * A new handler for one accepted connection, to be first in its pipeline. It reads the
     * ClientHello, picks the certificate by SNI name and replaces itself with the TLS handler;
     * a handshake counter follows it.
     */
    public ChannelHandler newHandler() {
        return new ListenerSniHandler();
    }

    /**
     * Re-reads every certificate, key, passphrase and OCSP file and serves the result to new
     * handshakes. On any error nothing changes and the error is thrown.
     */
    public void reload() throws TlsConfigException {
        ServerContexts next = ServerContexts.build(listener, certificates, settings, alpn, provider);
        synchronized (swapLock) {
            if (ticketKeys != null) {
                // The same keys as before: a reload must not cost clients their tickets.
                ticketKeys.applyTo(next.contexts());
            }
            contexts.set(next);
        }
        LOG.info("listener {}: TLS certificates reloaded ({})", listener, certificates.size());
    }

    /** The TLS engine in use: {@code boringssl} or {@code jdk}. */
    public String provider() {
        return TlsProvider.name(provider);
    }

    /** Stops ticket-key rotation and removes this listener's certificate gauges. */
    @Override
    public void close() {
        if (rotation != null) {
            rotation.shutdownNow();
        }
        synchronized (ownMeters) {
            ownMeters.forEach(registry::remove);
            ownMeters.clear();
        }
    }

    /**
     * Registers this listener's gauges again: after a reload closed the TLS it replaced, whose
     * close removed the gauges this one shared.
     */
    public void rebindGauges() {
        registerGauges();
    }

    /** Package-private for tests: what the scheduled rotation does. */
    void rotateTicketKeys() {
        if (ticketKeys == null) {
            return;
        }
        synchronized (swapLock) {
            ticketKeys.rotate();
            ticketKeys.applyTo(contexts.get().contexts());
        }
    }

    /** Package-private for tests: how often the ticket keys were replaced. */
    long ticketKeyRotations() {
        return ticketKeys == null ? 0 : ticketKeys.rotations();
    }

    /** Package-private for tests: the contexts serving new handshakes now, the default first. */
    List<SslContext> contexts() {
        return contexts.get().contexts();
    }

    /** Derived from the shared file when there is one, else random. */
    private static TicketKeys ticketKeys(ListenerTls settings) {
        if (settings.ticketKeyFile().isEmpty()) {
            return new TicketKeys();
        }
        try {
            byte[] secret = java.nio.file.Files.readString(settings.ticketKeyFile().get()).strip()
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            return new TicketKeys(secret, settings.ticketKeyRotation().toMillis());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read session ticket key file "
                    + settings.ticketKeyFile().get(), e);
        }
    }

    private ScheduledExecutorService startRotation() {
        Duration period = settings.ticketKeyRotation();
        if (ticketKeys == null || period == null || period.isZero() || period.isNegative()) {
            return null;
        }
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "fulcrum-tls-tickets-" + listener);
            thread.setDaemon(true);
            return thread;
        });
        long millis = period.toMillis();
        // Derived keys change at period boundaries, the same instants on every node.
        long first = ticketKeys.derived() ? ticketKeys.millisToNextPeriod(System.currentTimeMillis()) : millis;
        executor.scheduleAtFixedRate(() -> {
            try {
                rotateTicketKeys();
            } catch (RuntimeException e) {
                // Keep rotating next period: the old keys stay in place meanwhile.
                LOG.error("listener {}: session ticket key rotation failed", listener, e);
            }
        }, first, millis, TimeUnit.MILLISECONDS);
        return executor;
    }

    private void registerGauges() {
        String providerName = provider();
        Gauge.builder(TlsMetricNames.PROVIDER, () -> 1)
                .description("The TLS engine in use")
                .tag(TlsMetricNames.TAG_PROVIDER, providerName)
                .register(registry);
        for (CertificateConfig c : certificates) {
            String name = c.name();
            // A certificate on two listeners is one gauge; the listener that registered it owns it.
            boolean owned = registry.find(TlsMetricNames.CERTIFICATE_EXPIRY)
                    .tag(TlsMetricNames.TAG_CERTIFICATE, name).gauge() == null;
            Gauge gauge = Gauge.builder(TlsMetricNames.CERTIFICATE_EXPIRY, this, tls -> tls.secondsToExpiry(name))
                    .description("Seconds until the certificate's leaf expires")
                    .tag(TlsMetricNames.TAG_CERTIFICATE, name)
                    .baseUnit("seconds")
                    .register(registry);
            if (owned) {
                synchronized (ownMeters) {
                    ownMeters.add(gauge);
                }
            }
        }
    }

    private double secondsToExpiry(String certificate) {
        Instant expiry = contexts.get().expiry(certificate);
        return expiry == null ? Double.NaN : Duration.between(Instant.now(), expiry).toSeconds();
    }

    /**
     * SNI over the contexts current when the ClientHello arrives (not when the connection was
     * accepted), which also staples the OCSP response of the chosen context.
     */
    private final class ListenerSniHandler extends SniHandler {

        /** The generation the lookup used; read on this connection's event loop only. */
        private ServerContexts generation;

        ListenerSniHandler() {
            // Unused: lookup() is overridden to read the current generation.
            super(host -> contexts.get().mapping().map(host));
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
            // Placed after us, it ends up right after the TLS handler that replaces us.
            ctx.pipeline().addAfter(ctx.name(), null, handshakes.handler());
            super.handlerAdded(ctx);
        }

        @Override
        protected Future<SslContext> lookup(ChannelHandlerContext ctx, String hostname) {
            generation = contexts.get();
            try {
                return ctx.executor().newSucceededFuture(generation.mapping().map(hostname));
            } catch (RuntimeException e) {
                // A name that is not a valid host name at all (the mapping normalizes IDNs).
                return ctx.executor().newFailedFuture(e);
            }
        }

        @Override
        protected SslHandler newSslHandler(SslContext context, ByteBufAllocator allocator) {
            SslHandler handler = super.newSslHandler(context, allocator);
            byte[] ocsp = generation == null ? null : generation.ocspResponse(context);
            if (ocsp != null && handler.engine() instanceof ReferenceCountedOpenSslEngine) {
                ((ReferenceCountedOpenSslEngine) handler.engine()).setOcspResponse(ocsp);
            }
            return handler;
        }
    }
}
