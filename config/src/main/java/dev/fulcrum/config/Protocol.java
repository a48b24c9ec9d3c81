package dev.fulcrum.config;

/** What a listener speaks on its socket. */
public enum Protocol {
    HTTP, HTTPS, TCP, TLS;

    /** True for the layer-7 listeners, which route on HTTP request fields. */
    public boolean isHttp() {
        return this == HTTP || this == HTTPS;
    }

    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
