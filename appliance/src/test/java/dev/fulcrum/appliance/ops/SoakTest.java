package dev.fulcrum.appliance.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.appliance.Appliance;
import dev.fulcrum.appliance.Metrics;
import dev.fulcrum.appliance.health.Backend;
import dev.fulcrum.config.ConfigLoader;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.IOException;
import java.lang.management.ManagementFactory;
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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A soak, behind a flag ({@code -Dfulcrum.soak.minutes=N}; CI runs it for a few minutes after
 * the main build): mixed HTTP keep-alive, new-connection and TCP load with a reload every few
 * seconds and a backend restarted now and then. Nothing may leak: Netty's paranoid detector
 * reports nothing (the module's leak check), and heap after collection, RSS and open file
 * descriptors end where they were after the warm-up, within a margin.
 */
@EnabledIfSystemProperty(named = "fulcrum.soak.minutes", matches = "[0-9]+")
class SoakTest {

    private static final long HEAP_MARGIN = 32L << 20;
    /** Generous: RSS moves with the JIT, malloc arenas and the allocator's caches; a real leak outgrows it. */
    private static final long RSS_MARGIN = 256L << 20;
    private static final long DIRECT_MARGIN = 16L << 20;
    private static final int FD_MARGIN = 32;

    @TempDir
    Path dir;

    @Test
    void mixedLoadWithReloadsAndRestartsLeaksNothing() throws Exception {
        Duration length = Duration.ofMinutes(Long.getLong("fulcrum.soak.minutes"));
        try (Backend one = new Backend("one"); Backend two = new Backend("two"); Metrics metrics = new Metrics()) {
            Path file = dir.resolve("fulcrum.yaml");
            Files.writeString(file, config(one, two, 0));
            try (Appliance appliance = Appliance.start(ConfigLoader.load(file), metrics, file)) {
                int web = appliance.listenerAddress("web").getPort();
                int tcp = appliance.listenerAddress("raw").getPort();
                AtomicBoolean running = new AtomicBoolean(true);
                AtomicLong ok = new AtomicLong();
                AtomicLong failed = new AtomicLong();
                Map<String, AtomicLong> why = new ConcurrentHashMap<>();
                List<Thread> load = List.of(
                        new Thread(() -> keepAlive(web, running, ok, failed, why), "soak-keep-alive"),
                        new Thread(() -> newConnections("http", web, running, ok, failed, why), "soak-new-connections"),
                        new Thread(() -> newConnections("tcp", tcp, running, ok, failed, why), "soak-tcp"));
                load.forEach(Thread::start);
                try {
                    pause(Duration.ofSeconds(20));
                    Snapshot warm = Snapshot.take();
                    long end = System.nanoTime() + length.toNanos();
                    for (int round = 1; System.nanoTime() < end && round < 100_000; round++) {
                        Files.writeString(file, config(one, two, round));
                        appliance.reloadConfig("soak").get();
                        if (round % 5 == 0) {
                            Backend restarted = round % 10 == 0 ? one : two;
                            restarted.stop();
                            pause(Duration.ofMillis(500));
                            restarted.start();
                        }
                        pause(Duration.ofSeconds(2));
                    }
                    running.set(false);
                    for (Thread thread : load) {
                        thread.join(30_000);
                    }
                    pause(Duration.ofSeconds(15)); // replaced snapshots close after their grace
                    Snapshot after = Snapshot.take();
                    System.out.printf("soak %s: %d requests ok, %d failed %s; warm %s, after %s%n", length, ok.get(),
                            failed.get(), why, warm, after);
                    assertThat(ok.get()).isPositive();
                    // Only a tcp connection relayed at the instant its backend stops may be lost.
                    assertThat(failed.get()).as("failed requests: %s", why).isLessThan((ok.get() + failed.get()) / 1000);
                    assertThat(after.heap()).as("heap after collection").isLessThan(warm.heap() + HEAP_MARGIN);
                    // The heap may still grow its committed size towards -Xmx: what must stay flat is the rest.
                    assertThat(after.rssOutsideHeap()).as("resident set outside the heap")
                            .isLessThan(warm.rssOutsideHeap() + RSS_MARGIN);
                    assertThat(after.fds()).as("open file descriptors").isLessThan(warm.fds() + FD_MARGIN);
                    assertThat(after.direct()).as("Netty's direct memory in use").isLessThan(warm.direct() + DIRECT_MARGIN);
                } finally {
                    running.set(false);
                }
            }
        }
    }

    private static String config(Backend one, Backend two, int round) {
        return """
                admin: {bind: "127.0.0.1:0"}
                listeners:
                  - name: web
                    bind: "127.0.0.1:0"
                    protocol: http
                    routes:
                      - {name: r%d, match: {path_prefix: "/r%d"}, pool: app}
                      - {name: all, pool: app, retries: 1}
                  - {name: raw, bind: "127.0.0.1:0", protocol: tcp, pool: app, splice: %s}
                pools:
                  app:
                    balance: %s
                    health_check: {type: http, path: /, interval: 500ms, timeout: 200ms}
                    servers:
                      - {name: one, address: "127.0.0.1:%d", weight: %d}
                      - {name: two, address: "127.0.0.1:%d"}
                """.formatted(round, round, System.getProperty("fulcrum.soak.splice", "true"),
                round % 2 == 0 ? "round_robin" : "least_conn", one.port(),
                1 + round % 100, two.port());
    }

    private static void pause(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis()); // the soak's pacing; nothing is awaited here
    }

    private static void fail(AtomicLong failed, Map<String, AtomicLong> why, String reason) {
        failed.incrementAndGet();
        why.computeIfAbsent(reason, r -> new AtomicLong()).incrementAndGet();
    }

    private static void keepAlive(int port, AtomicBoolean running, AtomicLong ok, AtomicLong failed,
                                  Map<String, AtomicLong> why) {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (long i = 0; running.get() && i < 100_000_000L; i++) {
            try {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/k/" + i)).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    ok.incrementAndGet();
                } else {
                    fail(failed, why, "keep-alive " + response.statusCode() + " " + response.body().strip());
                }
            } catch (IOException | InterruptedException e) {
                fail(failed, why, "keep-alive " + e.getClass().getSimpleName());
            }
        }
    }

    private static void newConnections(String kind, int port, AtomicBoolean running, AtomicLong ok, AtomicLong failed,
                                       Map<String, AtomicLong> why) {
        for (long i = 0; running.get() && i < 100_000_000L; i++) {
            boolean connected = false;
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                connected = true;
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(("GET /n/" + i + " HTTP/1.1\r\nHost: soak\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                // One response, by its Content-Length: the test backend keeps connections open, so
                // the client closes (which the tcp relay must pass on).
                String response = SigtermDrainTest.readResponse(socket.getInputStream());
                if (response.startsWith("HTTP/1.1 200")) {
                    ok.incrementAndGet();
                } else {
                    int end = response.indexOf('\r');
                    fail(failed, why, kind + " " + (response.isEmpty() ? "closed without answer"
                            : response.substring(0, end < 0 ? response.length() : end)) + " "
                            + response.substring(response.lastIndexOf('\n') + 1).strip());
                }
            } catch (IOException e) {
                fail(failed, why, kind + " " + e.getClass().getSimpleName() + (connected ? " after connecting"
                        : " connecting"));
            }
        }
    }

    /** Heap used after a collection, resident set and open descriptors of this process. */
    private record Snapshot(long heap, long heapCommitted, long rss, int fds, long direct) {
        long rssOutsideHeap() {
            return rss - heapCommitted;
        }

        static Snapshot take() throws IOException {
            for (int i = 0; i < 3; i++) {
                System.gc();
            }
            var usage = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            long rss = Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(line -> line.startsWith("VmRSS:")).findFirst()
                    .map(line -> Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024).orElse(0L);
            int fds;
            try (var list = Files.list(Path.of("/proc/self/fd"))) {
                fds = (int) list.count();
            }
            long direct = ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider
                    ? provider.metric().usedDirectMemory() : 0;
            return new Snapshot(usage.getUsed(), usage.getCommitted(), rss, fds, direct);
        }

        @Override
        public String toString() {
            return "heap " + (heap >> 20) + " MiB (of " + (heapCommitted >> 20) + " committed), RSS " + (rss >> 20)
                    + " MiB (" + (rssOutsideHeap() >> 20) + " outside the heap), " + fds + " fds, Netty direct "
                    + (direct >> 20) + " MiB";
        }
    }
}
