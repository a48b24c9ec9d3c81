package dev.fulcrum.appliance.metrics;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** A real Prometheus server on loopback scraping one target every second, asked over its HTTP API. */
final class PrometheusServer implements AutoCloseable {

    private static final int ATTEMPTS = 3;
    private static final Duration READY = Duration.ofSeconds(15);
    private static final Duration STOP = Duration.ofSeconds(10);
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final URI base;
    private final Path log;

    private PrometheusServer(Process process, URI base, Path log) {
        this.process = process;
        this.base = base;
        this.log = log;
    }

    /** Starts Prometheus with its configuration, data and log in {@code dir}, scraping {@code target}. */
    static PrometheusServer start(Path dir, int targetPort) throws IOException {
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}
                scrape_configs:
                  - job_name: fulcrum
                    static_configs: [{targets: ["127.0.0.1:%d"]}]
                """.formatted(targetPort));
        // Prometheus takes no port 0 it could report back (it logs the address it was given), so it
        // gets a port the kernel just handed out and released. Should anything take that port in
        // between, Prometheus exits with "address already in use" and is started on another one.
        for (int attempt = 1; ; attempt++) {
            int port = freeLoopbackPort();
            Path log = dir.resolve("prometheus-" + attempt + ".log");
            Process process = new ProcessBuilder(PrometheusSupport.BINARY.toString(),
                    "--config.file=" + config,
                    "--storage.tsdb.path=" + dir.resolve("data-" + attempt),
                    "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            PrometheusServer server = new PrometheusServer(process, URI.create("http://127.0.0.1:" + port), log);
            if (server.awaitReady()) {
                return server;
            }
            String output = server.log();
            if (!output.contains("address already in use") || attempt == ATTEMPTS) {
                throw new IllegalStateException("Prometheus did not start (attempt " + attempt + "):\n" + output);
            }
        }
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** True once ready; false if it exited first. A Prometheus that is neither in time is stopped. */
    private boolean awaitReady() {
        try {
            await().atMost(READY).pollInterval(Duration.ofMillis(100)).until(() -> !process.isAlive() || ready());
        } catch (ConditionTimeoutException e) {
            close();
            throw new IllegalStateException("Prometheus was not ready within " + READY + ":\n" + log(), e);
        }
        return process.isAlive();
    }

    private boolean ready() {
        try {
            return get("/-/ready").statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /** The series an instant query returns: each a map with "metric" (labels) and "value". */
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> query(String promql) throws IOException {
        HttpResponse<String> response = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        Map<String, Object> body = new Yaml(new SafeConstructor(new LoaderOptions())).load(response.body());
        if (response.statusCode() != 200 || !"success".equals(body.get("status"))) {
            throw new IllegalStateException("query " + promql + " failed: " + response.body());
        }
        return (List<Map<String, Object>>) ((Map<String, Object>) body.get("data")).get("result");
    }

    private HttpResponse<String> get(String pathAndQuery) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(Duration.ofSeconds(5)).build();
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** What Prometheus logged, for failure messages. */
    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(STOP.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(STOP.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
