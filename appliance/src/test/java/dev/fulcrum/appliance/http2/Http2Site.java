package dev.fulcrum.appliance.http2;

import dev.fulcrum.appliance.Appliance;
import dev.fulcrum.appliance.Metrics;
import dev.fulcrum.config.ConfigLoader;
import dev.fulcrum.tls.SelfSigned;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An appliance started from YAML on port 0 in front of one {@link CountingBackend}: listeners
 * {@code web} (http) and {@code web-tls} (https, a self-signed certificate for localhost) with
 * HTTP/2 on as by default, and {@code web-h1} and {@code web-tls-h1} with {@code http2: false}.
 * Every listener writes its access log as JSON lines to {@link #accessLog()}.
 */
final class Http2Site implements AutoCloseable {

    static final String HTTP = "web";
    static final String HTTPS = "web-tls";
    static final String HTTP_NO_H2 = "web-h1";
    static final String HTTPS_NO_H2 = "web-tls-h1";

    private final Metrics metrics;
    private final CountingBackend backend;
    private final Path accessLog;
    private final Appliance appliance;

    private Http2Site(Metrics metrics, CountingBackend backend, Path accessLog, Appliance appliance) {
        this.metrics = metrics;
        this.backend = backend;
        this.accessLog = accessLog;
        this.appliance = appliance;
    }

    static Http2Site start(Path dir) throws Exception {
        SelfSigned.Written site = SelfSigned.write("localhost", dir);
        Path accessLog = dir.resolve("access.log");
        CountingBackend backend = new CountingBackend("app-1");
        Metrics metrics = new Metrics();
        boolean started = false;
        try {
            String yaml = """
                    admin: {bind: "127.0.0.1:0"}
                    certificates: [{name: site, cert: %s, key: %s}]
                    listeners:
                      - {name: web, bind: "127.0.0.1:0", protocol: http, access_log: {format: json, path: %s},
                         routes: [{name: all, pool: app}]}
                      - {name: web-tls, bind: "127.0.0.1:0", protocol: https, certificates: [site],
                         access_log: {format: json, path: %s}, routes: [{name: all, pool: app}]}
                      - {name: web-h1, bind: "127.0.0.1:0", protocol: http, http2: false,
                         access_log: {format: json, path: %s}, routes: [{name: all, pool: app}]}
                      - {name: web-tls-h1, bind: "127.0.0.1:0", protocol: https, certificates: [site], http2: false,
                         access_log: {format: json, path: %s}, routes: [{name: all, pool: app}]}
                    pools:
                      app:
                        servers: [{name: app-1, address: "127.0.0.1:%d"}]
                    """.formatted(site.cert(), site.key(), accessLog, accessLog, accessLog, accessLog,
                    backend.port());
            Appliance appliance = Appliance.start(ConfigLoader.parse("fulcrum.yaml", yaml, dir), metrics);
            started = true;
            return new Http2Site(metrics, backend, accessLog, appliance);
        } finally {
            if (!started) {
                metrics.close();
                backend.close();
            }
        }
    }

    int port(String listener) {
        return appliance.listenerAddress(listener).getPort();
    }

    /** {@code http://127.0.0.1:PORT} or {@code https://localhost:PORT} (the certificate's name). */
    String origin(String listener) {
        boolean tls = listener.equals(HTTPS) || listener.equals(HTTPS_NO_H2);
        return (tls ? "https://localhost:" : "http://127.0.0.1:") + port(listener);
    }

    String admin() {
        return "http://127.0.0.1:" + appliance.adminAddress().getPort();
    }

    Appliance appliance() {
        return appliance;
    }

    Metrics metrics() {
        return metrics;
    }

    CountingBackend backend() {
        return backend;
    }

    Path accessLog() {
        return accessLog;
    }

    @Override
    public void close() {
        try {
            appliance.close();
        } finally {
            metrics.close();
            backend.close();
        }
    }
}
