package dev.fulcrum.tls;

import dev.fulcrum.config.CertificateConfig;
import dev.fulcrum.config.ListenerTls;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.DomainWildcardMappingBuilder;
import io.netty.util.Mapping;
import java.io.IOException;
import java.nio.file.Files;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One generation of a listener's server contexts, built from the files as they are now. A reload
 * builds a new generation and swaps it in whole, so a handshake never sees half of each.
 */
final class ServerContexts {

    private static final Logger LOG = LoggerFactory.getLogger(ServerContexts.class);
    static final Set<String> ALLOWED_PROTOCOLS = Set.of("TLSv1.3", "TLSv1.2");

    private final Mapping<String, SslContext> mapping;
    private final List<SslContext> contexts;
    private final Map<SslContext, byte[]> ocspResponses;
    private final Map<String, Instant> expiries;

    private ServerContexts(Mapping<String, SslContext> mapping, List<SslContext> contexts,
                           Map<SslContext, byte[]> ocspResponses, Map<String, Instant> expiries) {
        this.mapping = mapping;
        this.contexts = contexts;
        this.ocspResponses = ocspResponses;
        this.expiries = expiries;
    }

    static ServerContexts build(String listener, List<CertificateConfig> certificates, ListenerTls settings,
                                List<String> alpn, SslProvider provider) throws TlsConfigException {
        String owner = "listener " + listener;
        if (certificates.isEmpty()) {
            throw new TlsConfigException(owner + ": TLS needs at least one certificate");
        }
        List<String> protocols = protocols(owner, settings.protocols());
        List<String> ciphers = CipherSuites.resolve(owner, settings.ciphers(), provider);
        List<X509Certificate> clientCa = clientCa(owner, settings);
        boolean canStaple = provider != SslProvider.JDK && OpenSsl.isOcspSupported();

        List<SslContext> contexts = new ArrayList<>();
        Map<SslContext, byte[]> ocsp = new IdentityHashMap<>();
        Map<String, Instant> expiries = new LinkedHashMap<>();
        DomainWildcardMappingBuilder<SslContext> names = null;
        Set<String> taken = new HashSet<>();
        for (CertificateConfig c : certificates) {
            PemCredentials credentials = PemCredentials.load(c);
            List<CertificateChecks.Finding> broken = CertificateChecks.structure(c, credentials);
            if (!broken.isEmpty()) {
                throw new TlsConfigException(broken.get(0).message());
            }
            for (CertificateChecks.Finding f : CertificateChecks.validity(c, credentials.leaf(), Instant.now())) {
                // Served anyway: refusing to start over an expired certificate takes every other
                // site on the listener down with it. The expiry gauge is what alerts.
                if (f.severity() == CertificateChecks.Severity.ERROR) {
                    LOG.error("{}: {}", owner, f.message());
                } else {
                    LOG.warn("{}: {}", owner, f.message());
                }
            }
            byte[] response = c.ocspResponse().isPresent() ? ocspResponse(c) : null;
            if (response != null && !canStaple) {
                LOG.warn("{}: certificate {}: OCSP stapling needs BoringSSL, the {} provider cannot staple;"
                        + " serving without the OCSP response", owner, c.name(), TlsProvider.name(provider));
                response = null;
            }
            SslContext context = context(owner, c, credentials, protocols, ciphers, alpn, settings, clientCa,
                    provider, response != null);
            contexts.add(context);
            if (response != null) {
                ocsp.put(context, response);
            }
            expiries.put(c.name(), credentials.leaf().getNotAfter().toInstant());
            if (names == null) {
                // The first certificate answers clients that send no name or one we do not know.
                names = new DomainWildcardMappingBuilder<>(context);
            }
            List<String> served = CertificateChecks.serverNames(credentials.leaf());
            for (String name : served) {
                // In listener order: a name on two certificates goes to the first, as listed.
                if (taken.add(name)) {
                    names.add(name, context);
                }
            }
            if (served.isEmpty() && contexts.size() > 1) {
                LOG.warn("{}: certificate {} names no host (no DNS names, no CN); no client can select it",
                        owner, c.name());
            }
        }
        return new ServerContexts(names.build(), List.copyOf(contexts), ocsp, Map.copyOf(expiries));
    }

    Mapping<String, SslContext> mapping() {
        return mapping;
    }

    List<SslContext> contexts() {
        return contexts;
    }

    /** The OCSP response to staple in handshakes with this context, or null. */
    byte[] ocspResponse(SslContext context) {
        return ocspResponses.get(context);
    }

    /** When the leaf of the named certificate expires, or null if not on this listener. */
    Instant expiry(String certificate) {
        return expiries.get(certificate);
    }

    private static SslContext context(String owner, CertificateConfig c, PemCredentials credentials,
                                      List<String> protocols, List<String> ciphers, List<String> alpn,
                                      ListenerTls settings, List<X509Certificate> clientCa, SslProvider provider,
                                      boolean staple) throws TlsConfigException {
        SslContextBuilder builder = SslContextBuilder.forServer(credentials.key(), credentials.chain())
                .sslProvider(provider)
                .protocols(protocols)
                // Already checked against the provider: nothing for a filter to drop silently.
                .ciphers(ciphers, IdentityCipherSuiteFilter.INSTANCE);
        if (!alpn.isEmpty()) {
            // Clients offering nothing we speak still get a connection, in our first protocol.
            builder.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
        }
        if (settings.clientAuth() != ListenerTls.ClientAuth.NONE) {
            builder.trustManager(clientCa)
                    .clientAuth(settings.clientAuth() == ListenerTls.ClientAuth.REQUIRE
                            ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
        }
        if (staple) {
            builder.enableOcsp(true);
        }
        try {
            return builder.build();
        } catch (SSLException | RuntimeException e) {
            throw new TlsConfigException(owner + ": certificate " + c.name() + " (" + c.cert()
                    + ") cannot be served: " + PemFiles.reason(e), e);
        }
    }

    private static List<String> protocols(String owner, List<String> configured) throws TlsConfigException {
        if (configured.isEmpty()) {
            throw new TlsConfigException(owner + ": no TLS protocol enabled; use TLSv1.3 and TLSv1.2");
        }
        for (String protocol : configured) {
            if (!ALLOWED_PROTOCOLS.contains(protocol)) {
                throw new TlsConfigException(owner + ": protocol " + protocol
                        + " is not allowed; use TLSv1.3 and TLSv1.2");
            }
        }
        return configured;
    }

    private static List<X509Certificate> clientCa(String owner, ListenerTls settings) throws TlsConfigException {
        if (settings.clientAuth() == ListenerTls.ClientAuth.NONE) {
            return List.of();
        }
        if (settings.clientCa().isEmpty()) {
            throw new TlsConfigException(owner + ": client_auth " + settings.clientAuth().key()
                    + " needs client_ca, the CA bundle that signs client certificates");
        }
        return PemFiles.certificates(owner + " client_ca", settings.clientCa().get());
    }

    private static byte[] ocspResponse(CertificateConfig c) throws TlsConfigException {
        try {
            byte[] response = Files.readAllBytes(c.ocspResponse().get());
            if (response.length == 0) {
                throw new TlsConfigException(PemCredentials.owner(c) + ": OCSP response " + c.ocspResponse().get()
                        + " is empty");
            }
            return response;
        } catch (IOException e) {
            throw new TlsConfigException(PemCredentials.owner(c) + ": cannot read OCSP response "
                    + c.ocspResponse().get() + " (" + PemFiles.reason(e) + ")", e);
        }
    }
}
