package dev.fulcrum.health;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import javax.net.ssl.SSLException;

/** The TLS client side of tls and https checks, and of grpc checks of pools with tls. */
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
        return build(builder());
    }

    /** The same, offering only h2 by ALPN: grpc checks of pools with tls speak HTTP/2 over it. */
    static SslContext h2ClientContext() {
        return build(builder().applicationProtocolConfig(new ApplicationProtocolConfig(
                ApplicationProtocolConfig.Protocol.ALPN,
                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                // A server that chooses nothing is told apart by the check, which names it.
                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                ApplicationProtocolNames.HTTP_2)));
    }

    private static SslContextBuilder builder() {
        return SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .endpointIdentificationAlgorithm(null);
    }

    private static SslContext build(SslContextBuilder builder) {
        try {
            return builder.build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot create the TLS context of health checks", e);
        }
    }
}
