package dev.fulcrum.health;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import javax.net.ssl.SSLException;

/** The TLS client side of tls and https checks. */
final class HealthCheckTls {

    private HealthCheckTls() {
    }

    /**
     * A client context that accepts any certificate for any name. Health checks prove that a
     * server is alive and completes a TLS handshake, not who it is: an expired, self-signed or
     * misnamed certificate still means the server can take traffic, and identity is for the
     * clients that connect through the load balancer to check. So no chain is verified and
     * endpoint identification (which Netty 4.2 turns on for clients) is off.
     */
    static SslContext clientContext() {
        try {
            return SslContextBuilder.forClient()
                    .sslProvider(SslProvider.JDK)
                    .trustManager(InsecureTrustManagerFactory.INSTANCE)
                    .endpointIdentificationAlgorithm(null)
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot create the TLS context of health checks", e);
        }
    }
}
