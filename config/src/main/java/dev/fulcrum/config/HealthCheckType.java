package dev.fulcrum.config;

import java.util.Locale;

/** The kind of active probe a health check sends. */
public enum HealthCheckType {
    TCP, HTTP, TLS, HTTPS;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
