package dev.fulcrum.appliance.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.appliance.health.Backend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM on a real {@code fulcrum run} process: it stops accepting, closes idle keep-alive
 * connections, lets the request in flight finish (its response says Connection: close), and
 * exits 0.
 */
class SigtermDrainTest {

    @TempDir
    Path dir;
    private Backend backend;
    private Process fulcrum;

    @AfterEach
    void stop() throws InterruptedException {
        if (fulcrum != null) {
            fulcrum.destroyForcibly();
            fulcrum.waitFor(10, TimeUnit.SECONDS);
        }
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void sigtermFinishesTheRequestInFlightClosesIdleConnectionsAndExitsZero() throws Exception {
        backend = new Backend("app-1");
        Path config = dir.resolve("fulcrum.yaml");
        Files.writeString(config, """
                admin: {bind: "127.0.0.1:0"}
                listeners:
                  - {name: web, bind: "127.0.0.1:0", protocol: http, drain_timeout: 20s, routes: [{pool: app}]}
                pools:
                  app:
                    servers: [{name: app-1, address: "127.0.0.1:%d"}]
                """.formatted(backend.port()));
        Path log = dir.resolve("fulcrum.log");
        fulcrum = FulcrumProcess.start(config, log);
        InetSocketAddress web = FulcrumProcess.listener(log, "web");

        try (Socket idle = new Socket(); Socket inFlight = new Socket()) {
            idle.connect(web, 5000);
            idle.setSoTimeout(30_000);
            send(idle, "/first", true);
            assertThat(readResponse(idle.getInputStream())).startsWith("HTTP/1.1 200");

            backend.mode(Backend.Mode.HOLD);
            inFlight.connect(web, 5000);
            inFlight.setSoTimeout(30_000);
            send(inFlight, "/slow", true);
            await("the request reaches the backend").atMost(Duration.ofSeconds(10)).until(() -> backend.holding() == 1);

            fulcrum.destroy(); // SIGTERM

            assertThat(idle.getInputStream().read()).as("an idle keep-alive connection is closed").isEqualTo(-1);
            await("no new connections").atMost(Duration.ofSeconds(10)).until(() -> FulcrumProcess.refused(web));
            assertThat(fulcrum.isAlive()).as("still draining the request in flight").isTrue();

            backend.release();
            String response = readResponse(inFlight.getInputStream());
            assertThat(response).startsWith("HTTP/1.1 200").containsIgnoringCase("connection: close");
            assertThat(inFlight.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(fulcrum.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(fulcrum.exitValue()).as(Files.readString(log)).isZero();
    }

    private static void send(Socket socket, String path, boolean keepAlive) throws IOException {
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: test\r\n"
                + (keepAlive ? "" : "Connection: close\r\n") + "\r\n").getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
    }

    /** One response: the head, then Content-Length bytes of body. */
    static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        for (int b = in.read(); b >= 0 && head.size() < 64 * 1024; b = in.read()) {
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                break;
            }
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        Matcher length = Pattern.compile("(?i)content-length: *(\\d+)").matcher(text);
        if (length.find()) {
            text += new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.US_ASCII);
        }
        return text;
    }
}
