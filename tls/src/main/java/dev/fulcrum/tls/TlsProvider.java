package dev.fulcrum.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which TLS engine to use: BoringSSL through netty-tcnative when its native library loads (much
 * cheaper handshakes, OCSP stapling, session-ticket keys we control), else the JDK's.
 */
public final class TlsProvider {

    private static final Logger LOG = LoggerFactory.getLogger(TlsProvider.class);
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private TlsProvider() {
    }

    /**
     * {@link SslProvider#OPENSSL} when available. Not the reference-counted variant: contexts
     * replaced by a reload are freed when no connection uses them any more, without us tracking
     * which connections still do.
     */
    public static SslProvider select() {
        if (OpenSsl.isAvailable()) {
            return SslProvider.OPENSSL;
        }
        if (WARNED.compareAndSet(false, true)) {
            LOG.warn("BoringSSL (netty-tcnative) is not available, TLS uses the JDK: {}",
                    String.valueOf(OpenSsl.unavailabilityCause()));
        }
        return SslProvider.JDK;
    }

    /** The name operators see in logs and in the {@code fulcrum.tls.provider} gauge. */
    public static String name(SslProvider provider) {
        switch (provider) {
            case OPENSSL:
            case OPENSSL_REFCNT:
                // The static tcnative build we ship is BoringSSL; a system OpenSSL would say so.
                String version = OpenSsl.versionString();
                return version == null || version.contains("BoringSSL") ? "boringssl" : "openssl";
            default:
                return "jdk";
        }
    }
}
