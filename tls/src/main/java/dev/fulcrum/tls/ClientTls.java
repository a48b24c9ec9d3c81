package dev.fulcrum.tls;

import dev.fulcrum.config.UpstreamTls;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS from the proxy to a pool's servers. The server's certificate is verified against the pool's
 * CA bundle (or the JDK's trust store) and must name the host we connect to, or the configured
 * SNI name when there is one.
 */
public final class ClientTls {

    private static final Logger LOG = LoggerFactory.getLogger(ClientTls.class);

    private final UpstreamTls settings;
    private final SslContext context;
    private final List<String> alpn;

    private ClientTls(UpstreamTls settings, SslContext context, List<String> alpn) {
        this.settings = settings;
        this.context = context;
        this.alpn = alpn;
    }

    public static ClientTls build(UpstreamTls settings) throws TlsConfigException {
        return build(settings, List.of());
    }

    /** @param alpn the protocols offered by ALPN, most wanted first (h2, http/1.1); empty: none offered */
    public static ClientTls build(UpstreamTls settings, List<String> alpn) throws TlsConfigException {
        return build(settings, TlsProvider.select(), alpn);
    }

    static ClientTls build(UpstreamTls settings, SslProvider provider) throws TlsConfigException {
        return build(settings, provider, List.of());
    }

    static ClientTls build(UpstreamTls settings, SslProvider provider, List<String> alpn) throws TlsConfigException {
        SslContextBuilder builder = SslContextBuilder.forClient()
                .sslProvider(provider)
                .protocols(List.copyOf(ServerContexts.ALLOWED_PROTOCOLS));
        if (!alpn.isEmpty()) {
            builder.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
        }
        if (!settings.verify()) {
            LOG.warn("TLS to servers{} does not verify their certificates (verify: false): anyone on the path"
                    + " can pose as the server", settings.sni().map(s -> " named " + s).orElse(""));
            builder.trustManager(InsecureTrustManagerFactory.INSTANCE)
                    // No name check either: without a verified chain it would prove nothing.
                    .endpointIdentificationAlgorithm(null);
        } else if (settings.ca().isPresent()) {
            List<X509Certificate> ca = PemFiles.certificates("server tls ca", settings.ca().get());
            builder.trustManager(ca);
        }
        try {
            return new ClientTls(settings, builder.build(), List.copyOf(alpn));
        } catch (SSLException | RuntimeException e) {
            throw new TlsConfigException("server tls: cannot build a TLS client: " + PemFiles.reason(e), e);
        }
    }

    /**
     * A TLS handler for a connection to {@code host:port}. The SNI name sent, and the name the
     * certificate must carry, is the configured {@code sni} or else {@code host}.
     */
    public SslHandler newHandler(ByteBufAllocator alloc, String host, int port) {
        return context.newHandler(alloc, settings.sni().orElse(host), port);
    }

    /**
     * What distinguishes these settings for connection reuse: two pools may share pooled
     * connections to a server only if this is equal.
     */
    public String identity() {
        return "ca=" + settings.ca().map(Object::toString).orElse("<jdk>")
                + ";sni=" + settings.sni().orElse("<host>")
                + ";verify=" + settings.verify()
                + ";alpn=" + String.join(",", alpn);
    }
}
