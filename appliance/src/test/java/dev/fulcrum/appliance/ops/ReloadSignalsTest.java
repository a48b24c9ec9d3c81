package dev.fulcrum.appliance.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.appliance.health.Backend;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real {@code fulcrum run} reloads on SIGHUP, and with {@code --watch} when its file changes. */
class ReloadSignalsTest {

    @TempDir
    Path dir;
    private Backend backend;
    private Process fulcrum;

    @AfterEach
    void stop() throws InterruptedException {
        if (fulcrum != null) {
            fulcrum.destroy();
            if (!fulcrum.waitFor(30, TimeUnit.SECONDS)) {
                fulcrum.destroyForcibly();
            }
        }
        if (backend != null) {
            backend.close();
        }
    }

    private String config(String path) {
        return """
                admin: {bind: "127.0.0.1:0"}
                listeners:
                  - name: web
                    bind: "127.0.0.1:0"
                    protocol: http
                    routes: [{match: {path_prefix: "%s"}, pool: app}]
                pools:
                  app:
                    servers: [{name: app-1, address: "127.0.0.1:%d"}]
                """.formatted(path, backend.port());
    }

    @Test
    void sighupAndAFileChangeReloadWhileABadFileChangesNothing() throws Exception {
        backend = new Backend("app-1");
        Path config = dir.resolve("fulcrum.yaml");
        Files.writeString(config, config("/one"));
        Path log = dir.resolve("fulcrum.log");
        fulcrum = FulcrumProcess.start(config, log, "--watch");
        InetSocketAddress web = FulcrumProcess.listener(log, "web");
        assertThat(status(web, "/one")).isEqualTo(200);
        assertThat(status(web, "/two")).isEqualTo(404);

        // --watch: the file changes, the routes follow.
        Files.writeString(config, config("/two"));
        await("the file change is applied").atMost(Duration.ofSeconds(20)).until(() -> status(web, "/two") == 200);

        // A bad file is refused and logged with its position; the running routes stay.
        Files.writeString(config, config("/three").replace("path_prefix", "path_prefixx"));
        await("the refusal is logged").atMost(Duration.ofSeconds(20))
                .until(() -> Files.readString(log).contains("unknown key 'path_prefixx'"));
        assertThat(Files.readString(log)).contains(config + ":6:23:");
        assertThat(status(web, "/two")).isEqualTo(200);

        // SIGHUP reads the file again (now fixed, without waiting for the watcher's next look).
        Files.writeString(config, config("/four"));
        Process hup = new ProcessBuilder("kill", "-HUP", Long.toString(fulcrum.pid())).start();
        assertThat(hup.waitFor(10, TimeUnit.SECONDS)).isTrue();
        await("SIGHUP is applied").atMost(Duration.ofSeconds(20)).until(() -> status(web, "/four") == 200);
        assertThat(fulcrum.isAlive()).isTrue();
    }

    private static int status(InetSocketAddress web, String path) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(web, 5000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            return Integer.parseInt(response.substring(9, 12));
        }
    }
}
