package dev.fulcrum.health;

import dev.fulcrum.config.HealthCheckConfig;
import io.netty.handler.ssl.SslContext;

/**
 * The probe a health check configuration asks for. The TLS client contexts are made on first
 * use and shared by every probe made here: most configurations check without TLS.
 */
final class Probes {

    private SslContext tls;
    private SslContext h2Tls;

    /** @param poolTls whether the pool has {@code tls}: a grpc check then speaks HTTP/2 over TLS */
    Probe forConfig(HealthCheckConfig config, boolean poolTls) {
        return switch (config.type()) {
            case TCP -> new TcpProbe();
            case TLS -> new TlsProbe(tls(), config.sni(), config.timeout(), true);
            case HTTP -> new HttpProbe(config, null);
            case HTTPS -> new HttpProbe(config, new TlsProbe(tls(), config.sni(), config.timeout(), false));
            case GRPC -> new GrpcProbe(config, poolTls ? new TlsProbe(h2Tls(), config.sni(), config.timeout(), false)
                    : null);
        };
    }

    private SslContext tls() {
        if (tls == null) {
            tls = HealthCheckTls.clientContext();
        }
        return tls;
    }

    private SslContext h2Tls() {
        if (h2Tls == null) {
            h2Tls = HealthCheckTls.h2ClientContext();
        }
        return h2Tls;
    }
}
