package dev.fulcrum.tls;

import dev.fulcrum.lbcore.metrics.MetricNames;

/** Names and tags of the TLS meters (Micrometer's dotted form, like {@link MetricNames}). */
public final class TlsMetricNames {

    /** Server handshakes per listener, protocol, cipher and result (a counter). */
    public static final String HANDSHAKES = MetricNames.TLS_HANDSHAKES;
    /**
     * Successful handshakes that resumed a session, per listener (a counter; BoringSSL only: the
     * JDK's engine does not say). Divided by the successes, the resumption rate.
     */
    public static final String SESSIONS_RESUMED = MetricNames.TLS_SESSIONS_RESUMED;
    /** Seconds until a certificate's leaf expires, per certificate; negative once expired. */
    public static final String CERTIFICATE_EXPIRY = "fulcrum.tls.certificate.expiry";
    /** 1, tagged with the TLS engine in use ({@code boringssl} or {@code jdk}). */
    public static final String PROVIDER = "fulcrum.tls.provider";

    public static final String TAG_LISTENER = MetricNames.TAG_LISTENER;
    public static final String TAG_PROTOCOL = "protocol";
    public static final String TAG_CIPHER = "cipher";
    public static final String TAG_RESULT = MetricNames.TAG_RESULT;
    public static final String TAG_CERTIFICATE = "certificate";
    public static final String TAG_PROVIDER = "provider";

    public static final String SUCCESS = "success";
    public static final String FAILURE = "failure";
    /** Protocol and cipher of a handshake that failed before agreeing on them. */
    public static final String NONE = MetricNames.NONE;

    private TlsMetricNames() {
    }
}
