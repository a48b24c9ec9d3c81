package dev.fulcrum.config;

import java.util.Locale;

/** PROXY protocol header sent to the backend by a tcp/tls listener. */
public enum ProxyProtocol {
    NONE, V1, V2;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
