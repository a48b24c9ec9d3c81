package dev.fulcrum.appliance.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.appliance.Appliance;
import dev.fulcrum.appliance.Metrics;
import dev.fulcrum.appliance.health.Backend;
import dev.fulcrum.config.ConfigLoader;
import dev.fulcrum.lbcore.pool.Server;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One server of two fails in a known way while two clients send requests: the outcome (retried,
 * 502 or 504) and how many requests failed before passive detection ejected the server are
 * asserted, for a killed server, one resetting mid-response, one hanging, one that never
 * accepts and one answering garbage.
 */
class FaultInjectionTest {

    private static final int CLIENTS = 2;
    private static final int REQUESTS_PER_CLIENT = 40;
    /** Passive detection ejects after this many failures in a row (set in the configuration). */
    private static final int CONSECUTIVE_FAILURES = 3;

    @TempDir
    Path dir;
    private final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    /** Statuses seen by the clients (0: the connection failed), and the faulty server's state afterwards. */
    private record Outcome(Map<Integer, Integer> statuses, Server bad) {
        int failed() {
            return statuses.entrySet().stream().filter(e -> e.getKey() != 200).mapToInt(Map.Entry::getValue).sum();
        }
    }

    private Outcome run(int badPort) throws Exception {
        Backend good = new Backend("good");
        closing.add(good);
        Metrics metrics = new Metrics();
        closing.add(metrics);
        Appliance appliance = Appliance.start(ConfigLoader.parse("test.yaml", """
                admin: {bind: "127.0.0.1:0"}
                listeners:
                  - name: web
                    bind: "127.0.0.1:0"
                    protocol: http
                    routes: [{pool: app, retries: 1, timeouts: {response: 500ms}}]
                pools:
                  app:
                    connect_timeout: 300ms
                    outlier_detection: {consecutive_failures: %d, base_ejection: 1m}
                    servers:
                      - {name: bad, address: "127.0.0.1:%d"}
                      - {name: good, address: "127.0.0.1:%d"}
                """.formatted(CONSECUTIVE_FAILURES, badPort, good.port()), dir), metrics);
        closing.add(0, appliance);
        InetSocketAddress web = appliance.listenerAddress("web");
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<?>> done = new java.util.ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                done.add(clients.submit(() -> {
                    for (int i = 0; i < REQUESTS_PER_CLIENT; i++) {
                        statuses.merge(status(web), 1, Integer::sum);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            clients.shutdownNow();
        }
        Outcome outcome = new Outcome(statuses, appliance.pools().get("app").server("bad"));
        System.out.printf("fault injection: %d requests, statuses %s, bad server ejected: %s%n",
                CLIENTS * REQUESTS_PER_CLIENT, statuses, outcome.bad().isEjected());
        return outcome;
    }

    private static int status(InetSocketAddress web) {
        try (Socket socket = new Socket()) {
            socket.connect(web, 5000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET /x HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            return Integer.parseInt(response.substring(9, 12));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    @Test
    void aKilledServerCostsNoRequest() throws Exception {
        Backend bad = new Backend("bad");
        closing.add(bad);
        bad.stop();
        Outcome outcome = run(bad.port());
        assertThat(outcome.failed()).as("%s", outcome.statuses()).isZero();
        assertThat(outcome.bad().isEjected()).isTrue();
    }

    @Test
    void aServerResettingMidRequestCostsNoIdempotentRequest() throws Exception {
        Backend bad = new Backend("bad");
        closing.add(bad);
        bad.mode(Backend.Mode.RESET);
        Outcome outcome = run(bad.port());
        assertThat(outcome.failed()).as("%s", outcome.statuses()).isZero();
        assertThat(outcome.bad().isEjected()).isTrue();
    }

    @Test
    void aHangingServerCostsA504PerRequestUntilItIsEjected() throws Exception {
        Backend bad = new Backend("bad");
        closing.add(bad);
        bad.mode(Backend.Mode.HOLD);
        Outcome outcome = run(bad.port());
        assertFailedOnlyUntilEjection(outcome, 504);
    }

    @Test
    void aServerThatNeverAcceptsCostsAtMostUntilItIsEjected() throws Exception {
        // Listens but never accepts: connections wait in its backlog, then time out.
        ServerSocket deaf = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        closing.add(deaf);
        Outcome outcome = run(deaf.getLocalPort());
        assertThat(outcome.statuses().keySet()).isSubsetOf(200, 504);
        assertThat(outcome.failed()).as("%s", outcome.statuses()).isLessThanOrEqualTo(CONSECUTIVE_FAILURES + CLIENTS);
        assertThat(outcome.bad().isEjected()).isTrue();
    }

    @Test
    void aServerAnsweringGarbageCostsA502PerRequestUntilItIsEjected() throws Exception {
        GarbageServer bad = new GarbageServer();
        closing.add(bad);
        Outcome outcome = run(bad.port());
        assertFailedOnlyUntilEjection(outcome, 502);
    }

    /** Failures of one kind only, no more than reach the ejection threshold (plus one in flight per client). */
    private static void assertFailedOnlyUntilEjection(Outcome outcome, int status) {
        assertThat(outcome.statuses().keySet()).as("%s", outcome.statuses()).isSubsetOf(200, status);
        assertThat(outcome.failed()).as("%s", outcome.statuses())
                .isBetween(1, CONSECUTIVE_FAILURES + CLIENTS - 1);
        assertThat(outcome.statuses().get(200)).isEqualTo(CLIENTS * REQUESTS_PER_CLIENT - outcome.failed());
        assertThat(outcome.bad().isEjected()).isTrue();
    }

    /** Reads a request's head and answers bytes that are not HTTP, then closes. */
    private static final class GarbageServer implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final Thread thread = new Thread(this::serve, "garbage-server");
        private final AtomicInteger served = new AtomicInteger();

        GarbageServer() throws IOException {
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        private void serve() {
            while (!socket.isClosed() && served.get() < 10_000) {
                try (Socket client = socket.accept()) {
                    served.incrementAndGet();
                    InputStream in = client.getInputStream();
                    byte[] buffer = new byte[4096];
                    in.read(buffer);
                    OutputStream out = client.getOutputStream();
                    out.write("SSH-2.0-OpenSSH_9.2\r\n\u0000\u0001garbage\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                } catch (IOException e) {
                    // Closed by the test, or the proxy hung up first.
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
