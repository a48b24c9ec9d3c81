package dev.fulcrum.tls;

/**
 * A certificate, key or TLS setting that cannot be used. The message is meant for the operator:
 * one sentence naming the certificate and the file, e.g.
 * {@code certificate site: key certs/site.key does not match certificate certs/site.crt}.
 */
public final class TlsConfigException extends Exception {

    public TlsConfigException(String message) {
        super(message);
    }

    public TlsConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
