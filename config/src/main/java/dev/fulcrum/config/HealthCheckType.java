package dev.fulcrum.config;

import java.util.Locale;

/**
 * The kind of active probe a health check sends. {@code grpc} is the grpc.health.v1
 * Health/Check call over HTTP/2: TLS when the pool has {@code tls}, else h2c.
 */
public enum HealthCheckType {
    TCP, HTTP, TLS, HTTPS, GRPC;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
