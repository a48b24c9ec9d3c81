package dev.fulcrum.appliance;

import dev.fulcrum.config.CertificateConfig;
import dev.fulcrum.config.FulcrumConfig;
import dev.fulcrum.config.ListenerConfig;
import dev.fulcrum.config.PoolConfig;
import dev.fulcrum.config.Protocol;
import dev.fulcrum.lbcore.UpstreamTlsDialer;
import dev.fulcrum.tls.CertificateWatcher;
import dev.fulcrum.tls.ClientTls;
import dev.fulcrum.tls.ServerTls;
import dev.fulcrum.tls.TlsConfigException;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS of a running configuration: a server side per https/tls listener, a client side per
 * pool reached over TLS, and a watcher that reloads certificates when their files change (new
 * handshakes get the new ones, open connections keep theirs).
 */
final class TlsRuntime implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TlsRuntime.class);
    static final Duration WATCH_PERIOD = Duration.ofSeconds(5);

    private final Map<String, ServerTls> servers;
    private final Map<String, UpstreamTlsDialer> upstreams;
    private final CertificateWatcher watcher;

    private TlsRuntime(Map<String, ServerTls> servers, Map<String, UpstreamTlsDialer> upstreams,
                       CertificateWatcher watcher) {
        this.servers = servers;
        this.upstreams = upstreams;
        this.watcher = watcher;
    }

    /** Call off the event loops: certificate and key files are read here. */
    static TlsRuntime start(FulcrumConfig config, MeterRegistry registry, Duration watchPeriod)
            throws TlsConfigException {
        Map<String, ServerTls> servers = new LinkedHashMap<>();
        Set<Path> files = new LinkedHashSet<>();
        try {
            for (ListenerConfig listener : config.listeners()) {
                if (listener.protocol() != Protocol.HTTPS && listener.protocol() != Protocol.TLS) {
                    continue;
                }
                List<CertificateConfig> certificates = new ArrayList<>();
                for (String name : listener.certificates()) {
                    CertificateConfig certificate = config.certificates().stream()
                            .filter(c -> c.name().equals(name)).findFirst().orElseThrow();
                    certificates.add(certificate);
                    files.add(certificate.cert());
                    files.add(certificate.key());
                    certificate.passphraseFile().ifPresent(files::add);
                    certificate.ocspResponse().ifPresent(files::add);
                }
                listener.tls().clientCa().ifPresent(files::add);
                List<String> alpn = alpnOf(listener);
                servers.put(listener.name(), ServerTls.build(listener.name(), certificates, listener.tls(), alpn,
                        registry));
            }
            Map<String, UpstreamTlsDialer> upstreams = new LinkedHashMap<>();
            for (PoolConfig pool : config.pools().values()) {
                if (pool.upstream().tls().isPresent()) {
                    ClientTls client = ClientTls.build(pool.upstream().tls().get(), alpnOf(pool));
                    upstreams.put(pool.name(), client::newHandler);
                }
            }
            CertificateWatcher watcher = servers.isEmpty() ? null
                    : CertificateWatcher.start(watchPeriod, () -> reloadAll(servers), files);
            return new TlsRuntime(Map.copyOf(servers), Map.copyOf(upstreams), watcher);
        } catch (TlsConfigException | RuntimeException e) {
            servers.values().forEach(ServerTls::close);
            throw e;
        }
    }

    private static void reloadAll(Map<String, ServerTls> servers) {
        servers.forEach((listener, tls) -> {
            try {
                tls.reload();
                LOG.info("listener {}: certificates reloaded", listener);
            } catch (TlsConfigException e) {
                LOG.error("listener {}: certificates not reloaded, the previous ones stay: {}", listener,
                        e.getMessage());
            }
        });
    }

    /** The TLS of an https or tls listener, or null. */
    ServerTls server(String listener) {
        return servers.get(listener);
    }

    /** By pool name, for the pools reached over TLS. */
    Map<String, UpstreamTlsDialer> upstreams() {
        return upstreams;
    }

    /** Re-reads every listener's certificates now (as the watcher does when files change). */
    void reload() {
        reloadAll(servers);
    }

    /** After the runtime this one replaced closed: its gauges were shared with this one's. */
    void rebindGauges() {
        servers.values().forEach(ServerTls::rebindGauges);
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
        servers.values().forEach(ServerTls::close);
    }

    /** https offers h2 first unless the listener turned HTTP/2 off; tls (passthrough-terminating TCP) offers nothing. */
    static List<String> alpnOf(ListenerConfig listener) {
        if (listener.protocol() != Protocol.HTTPS) {
            return List.of();
        }
        return listener.edge().http2().enabled() ? List.of("h2", "http/1.1") : List.of("http/1.1");
    }

    /** What a pool's connections offer by ALPN: its protocol, or both for auto. */
    static List<String> alpnOf(PoolConfig pool) {
        return switch (pool.upstream().protocol()) {
            case HTTP1 -> List.of();
            case HTTP2 -> List.of("h2");
            case AUTO -> List.of("h2", "http/1.1");
        };
    }
}
