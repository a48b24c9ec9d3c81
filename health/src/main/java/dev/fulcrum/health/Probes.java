package dev.fulcrum.health;

import dev.fulcrum.config.HealthCheckConfig;
import io.netty.handler.ssl.SslContext;

/** The probe a health check configuration asks for. */
final class Probes {

    private Probes() {
    }

    /** @param tls the client context of tls and https checks; may be null when the check uses no TLS */
    static Probe forConfig(HealthCheckConfig config, SslContext tls) {
        return switch (config.type()) {
            case TCP -> new TcpProbe();
            case TLS -> new TlsProbe(tls, config.sni(), config.timeout(), true);
            case HTTP -> new HttpProbe(config, null);
            case HTTPS -> new HttpProbe(config, new TlsProbe(tls, config.sni(), config.timeout(), false));
        };
    }
}
