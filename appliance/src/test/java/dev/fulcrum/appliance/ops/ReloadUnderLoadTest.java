package dev.fulcrum.appliance.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.appliance.Appliance;
import dev.fulcrum.appliance.Metrics;
import dev.fulcrum.appliance.health.Backend;
import dev.fulcrum.config.ConfigLoader;
import dev.fulcrum.lbcore.pool.AdminState;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hot reload drops nothing: requests keep flowing through 20 reloads, state and sockets survive. */
class ReloadUnderLoadTest {

    private static final int RELOADS = 20;
    private static final int MAX_REQUESTS_PER_CLIENT = 200_000;

    @TempDir
    Path dir;
    private Backend one;
    private Backend two;
    private Metrics metrics;
    private Appliance appliance;
    private Path file;
    private String admin;

    @BeforeEach
    void start() throws Exception {
        one = new Backend("one");
        two = new Backend("two");
        Files.writeString(dir.resolve("admin.token"), AdminApiTest.TOKEN);
        file = dir.resolve("fulcrum.yaml");
        Files.writeString(file, config(0, false));
        metrics = new Metrics();
        appliance = Appliance.start(ConfigLoader.load(file), metrics, file);
        admin = "http://127.0.0.1:" + appliance.adminAddress().getPort();
    }

    @AfterEach
    void stop() {
        appliance.close();
        metrics.close();
        one.close();
        two.close();
    }

    /** Variant {@code n}: the routes, weights and pools change; the web listener's socket settings do not. */
    private String config(int n, boolean extraListener) {
        return """
                admin: {bind: "127.0.0.1:0", token_file: admin.token}
                listeners:
                  - name: web
                    bind: "127.0.0.1:0"
                    protocol: http
                    routes:
                      - {name: v%d, match: {path_prefix: "/v%d"}, pool: spare}
                      - {name: app, match: {path_prefix: "/"}, pool: app}
                %s
                pools:
                  app:
                    balance: %s
                    servers:
                      - {name: one, address: "127.0.0.1:%d", weight: %d}
                      - {name: two, address: "127.0.0.1:%d"}
                  spare:
                    servers: [{name: two, address: "127.0.0.1:%d"}]
                """.formatted(n, n, extraListener
                        ? "  - {name: extra, bind: \"127.0.0.1:0\", protocol: http, routes: [{pool: app}]}" : "",
                n % 2 == 0 ? "round_robin" : "least_conn", one.port(), 10 + n, two.port(), two.port());
    }

    private HttpResponse<String> reload() throws Exception {
        return AdminApiTest.send(HttpRequest.newBuilder(URI.create(admin + "/api/v1/reload"))
                .header("Authorization", "Bearer " + AdminApiTest.TOKEN).POST(HttpRequest.BodyPublishers.noBody()));
    }

    @Test
    void noRequestFailsAcrossTwentyReloadsUnderLoad() throws Exception {
        // A server drained before the reloads stays drained through them.
        appliance.pools().get("app").server("two").setAdminState(AdminState.DRAINING, "test");
        int port = appliance.listenerAddress("web").getPort();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        List<String> failures = new CopyOnWriteArrayList<>();
        List<Thread> clients = List.of(
                new Thread(() -> keepAliveClient(port, running, ok, failures), "keep-alive-client"),
                new Thread(() -> newConnectionClient(port, running, ok, failures), "new-connection-client"));
        clients.forEach(Thread::start);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> ok.get() >= 20);
            for (int i = 1; i <= RELOADS; i++) {
                Files.writeString(file, config(i, false));
                HttpResponse<String> reloaded = reload();
                assertThat(reloaded.statusCode()).as(reloaded.body()).isEqualTo(200);
                int before = ok.get();
                await().atMost(Duration.ofSeconds(10)).until(() -> ok.get() > before + 5 || !failures.isEmpty());
            }
        } finally {
            running.set(false);
            for (Thread client : clients) {
                client.join(10_000);
            }
        }
        assertThat(failures).isEmpty();
        assertThat(ok.get()).isGreaterThan(RELOADS * 5);
        assertThat(appliance.config().listeners().get(0).routes().get(0).name()).isEqualTo("v" + RELOADS);
        assertThat(appliance.pools().get("app").server("one").weight()).isEqualTo(10 + RELOADS);
        assertThat(appliance.pools().get("app").server("two").adminState()).isEqualTo(AdminState.DRAINING);
        assertThat(metrics.registry().get("fulcrum.config.reloads").tag("result", "success").counter().count())
                .isEqualTo(RELOADS);
    }

    @Test
    void aReloadOpensNewListenersAndStopsRemovedOnesWhileTheOthersKeepTheirSockets() throws Exception {
        var web = appliance.listenerAddress("web");
        Files.writeString(file, config(1, true));
        assertThat(reload().statusCode()).isEqualTo(200);
        var extra = appliance.listenerAddress("extra");
        assertThat(get(extra.getPort(), "/x")).startsWith("HTTP/1.1 200");
        assertThat(appliance.listenerAddress("web")).isEqualTo(web);

        Files.writeString(file, config(2, false));
        assertThat(reload().statusCode()).isEqualTo(200);
        assertThat(appliance.listenerAddress("web")).isEqualTo(web);
        assertThat(get(web.getPort(), "/x")).startsWith("HTTP/1.1 200");
        await().atMost(Duration.ofSeconds(10)).until(() -> FulcrumProcess.refused(extra));
    }

    private static void keepAliveClient(int port, AtomicBoolean running, AtomicInteger ok, List<String> failures) {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        for (int i = 0; i < MAX_REQUESTS_PER_CLIENT && running.get(); i++) {
            try {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/app/" + i)).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    ok.incrementAndGet();
                } else {
                    failures.add("keep-alive: " + response.statusCode() + " " + response.body());
                }
            } catch (Exception e) {
                failures.add("keep-alive: " + e);
            }
        }
    }

    private static void newConnectionClient(int port, AtomicBoolean running, AtomicInteger ok, List<String> failures) {
        for (int i = 0; i < MAX_REQUESTS_PER_CLIENT && running.get(); i++) {
            try {
                String response = get(port, "/fresh/" + i);
                if (response.startsWith("HTTP/1.1 200")) {
                    ok.incrementAndGet();
                } else {
                    failures.add("new connection: " + response);
                }
            } catch (Exception e) {
                failures.add("new connection: " + e);
            }
        }
    }

    private static String get(int port, String path) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
