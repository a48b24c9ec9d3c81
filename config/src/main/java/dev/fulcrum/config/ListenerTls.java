package dev.fulcrum.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How an https/tls listener speaks TLS.
 *
 * @param protocols allowed versions, e.g. TLSv1.3, TLSv1.2
 * @param ciphers TLS 1.2 cipher suites (OpenSSL or IANA names); empty: the built-in modern list
 * @param clientCa CA bundle (PEM) that verifies client certificates (mTLS)
 * @param clientAuth whether a client certificate is asked for, and required
 * @param clientCertHeader https: the request header that carries the verified client's subject to backends
 * @param ticketKeyRotation how often session-ticket keys are replaced (the old key still decrypts for one period)
 * @param ticketKeyFile a secret the ticket keys of each period are derived from, so nodes sharing
 *     the file (and a clock) resume each other's sessions; empty: random keys per process
 */
public record ListenerTls(List<String> protocols, List<String> ciphers, Optional<Path> clientCa,
                          ClientAuth clientAuth, String clientCertHeader, Duration ticketKeyRotation,
                          Optional<Path> ticketKeyFile) {

    /** mTLS: none, optional (verified when sent), require. */
    public enum ClientAuth {
        NONE, OPTIONAL, REQUIRE;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    public static final String DEFAULT_CLIENT_CERT_HEADER = "X-Client-Cert-Subject";
    public static final Duration DEFAULT_TICKET_KEY_ROTATION = Duration.ofHours(1);
    public static final ListenerTls DEFAULTS = new ListenerTls(DEFAULT_PROTOCOLS, List.of(), Optional.empty(),
            ClientAuth.NONE, DEFAULT_CLIENT_CERT_HEADER, DEFAULT_TICKET_KEY_ROTATION, Optional.empty());

    public ListenerTls {
        protocols = List.copyOf(protocols);
        ciphers = List.copyOf(ciphers);
    }

    /** Random ticket keys per process. */
    public ListenerTls(List<String> protocols, List<String> ciphers, Optional<Path> clientCa, ClientAuth clientAuth,
                       String clientCertHeader, Duration ticketKeyRotation) {
        this(protocols, ciphers, clientCa, clientAuth, clientCertHeader, ticketKeyRotation, Optional.empty());
    }
}
