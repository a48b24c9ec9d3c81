package dev.fulcrum.appliance.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pair for real, in network namespaces the test makes: two Fulcrum processes, a backend and a
 * client sending requests to the virtual IP without pause. The master is killed (SIGKILL: no
 * goodbye advert, its address left behind as a crashed process leaves it); the backup must take
 * the VIP and serve within a second at a 100 ms advert interval. Then the master comes back and,
 * outranking the backup, takes the VIP back. Last, a partition between the nodes makes both
 * master; when it heals, the lower-ranked one yields and clients come back to the other. And a
 * graceful stop hands over at once.
 *
 * <p>The two nodes show both ways of listening: lb-a binds every address all the time; lb-b
 * binds the virtual IP itself, which it can only do while it holds it
 * ({@code listeners_follow_state}).
 */
class PairInNamespacesTest {

    private static final String VIP = TestLan.PREFIX + "100";
    private static final String NODE_A = TestLan.PREFIX + "1";
    private static final String NODE_B = TestLan.PREFIX + "2";
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration TAKEOVER_GOAL = Duration.ofSeconds(1);

    @TempDir
    Path dir;
    private TestLan lan;
    private final List<Process> processes = new ArrayList<>();
    private final List<String> client = new CopyOnWriteArrayList<>();

    @BeforeEach
    void network() throws Exception {
        NamespaceSupport.require();
        lan = TestLan.create("fulcrum-" + ProcessHandle.current().pid());
    }

    @AfterEach
    void teardown() throws InterruptedException, IOException {
        // What happened, for the test report: the client's outcomes and the end of each node's log.
        System.out.println("client outcomes:\n  " + String.join("\n  ", client));
        try (var logs = Files.list(dir)) {
            for (Path log : logs.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
                List<String> lines = Files.readAllLines(log);
                System.out.println(log.getFileName() + ":\n  " + String.join("\n  ",
                        lines.subList(Math.max(0, lines.size() - 40), lines.size())));
            }
        }
        for (Process process : processes) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        if (lan != null) {
            lan.close();
        }
    }

    @Test
    void theBackupTakesTheVipWhenTheMasterDiesAndTheMasterTakesItBackOnItsReturn() throws Exception {
        String nsA = lan.addNode("a", 1);
        String nsB = lan.addNode("b", 2);
        Files.writeString(dir.resolve("ha.secret"), "the pair's shared secret\n");
        Path configA = write("a.yaml", node("lb-a", 200, NODE_A, NODE_B, "0.0.0.0", false));
        Path configB = write("b.yaml", node("lb-b", 100, NODE_B, NODE_A, VIP, true));
        startClient();

        Process a = startNode(nsA, configA, "a-1.log");
        await("lb-a holds the VIP").atMost(START).until(() -> lan.holds(nsA, VIP));
        startNode(nsB, configB, "b.log");
        awaitLog("b.log", "running");
        long before = System.currentTimeMillis();
        await("the client is served through lb-a").atMost(START).until(() -> servedSince(before, NODE_A).isPresent());
        assertThat(lan.holds(nsB, VIP)).as("the backup holds no VIP").isFalse();

        long killedAt = System.currentTimeMillis();
        a.destroyForcibly();
        assertThat(a.waitFor(10, TimeUnit.SECONDS)).isTrue();
        await("the client is served through lb-b").atMost(Duration.ofSeconds(30))
                .until(() -> servedSince(killedAt, NODE_B).isPresent());
        long takeover = servedSince(killedAt, NODE_B).orElseThrow() - killedAt;
        System.out.printf("HA takeover: the client was served through the backup %d ms after the master was"
                + " killed (advert interval 100 ms, dead after 300 ms)%n", takeover);
        assertThat(lan.holds(nsB, VIP)).as("the VIP moved to lb-b").isTrue();
        assertThat(Duration.ofMillis(takeover)).as("takeover time; client saw:%n%s", client)
                .isLessThan(TAKEOVER_GOAL);

        long restartedAt = System.currentTimeMillis();
        startNode(nsA, configA, "a-2.log");
        await("lb-a preempts").atMost(START).until(() -> lan.holds(nsA, VIP) && !lan.holds(nsB, VIP));
        await("the client is served through lb-a again").atMost(Duration.ofSeconds(30))
                .until(() -> servedSince(restartedAt, NODE_A).isPresent());
        System.out.printf("HA preemption: served through lb-a again %d ms after its restart%n",
                servedSince(restartedAt, NODE_A).orElseThrow() - restartedAt);
        assertThat(Files.readString(dir.resolve("b.log"))).as("a preemption is no split brain")
                .doesNotContain("SPLIT BRAIN");

        // A partition: adverts no longer pass between the nodes (each one's route to the other is
        // prohibited), while clients still reach both. Both become master and hold the VIP.
        lan.ip("-n", nsA, "route", "add", "prohibit", NODE_B + "/32");
        lan.ip("-n", nsB, "route", "add", "prohibit", NODE_A + "/32");
        await("both nodes are master").atMost(Duration.ofSeconds(30))
                .until(() -> lan.holds(nsA, VIP) && lan.holds(nsB, VIP));
        long healedAt = System.currentTimeMillis();
        lan.ip("-n", nsA, "route", "del", "prohibit", NODE_B + "/32");
        lan.ip("-n", nsB, "route", "del", "prohibit", NODE_A + "/32");
        await("lb-b yields").atMost(Duration.ofSeconds(30)).until(() -> !lan.holds(nsB, VIP));
        assertThat(lan.holds(nsA, VIP)).isTrue();
        assertThat(Files.readString(dir.resolve("b.log"))).contains("SPLIT BRAIN");
        // lb-a announces the VIP again, so clients that followed lb-b's announcement come back.
        await("the client is served through lb-a after the partition").atMost(Duration.ofSeconds(30))
                .until(() -> servedSince(healedAt, NODE_A).isPresent());
        System.out.printf("HA split brain: served through lb-a %d ms after the partition healed%n",
                servedSince(healedAt, NODE_A).orElseThrow() - healedAt);

        // A graceful stop (SIGTERM) says goodbye with a priority-0 advert: no dead_after to wait.
        Process second = processes.get(processes.size() - 1);
        long stoppedAt = System.currentTimeMillis();
        second.destroy();
        await("the client is served through lb-b after lb-a stopped").atMost(Duration.ofSeconds(30))
                .until(() -> servedSince(stoppedAt, NODE_B).isPresent());
        System.out.printf("HA handover: served through lb-b %d ms after lb-a was asked to stop%n",
                servedSince(stoppedAt, NODE_B).orElseThrow() - stoppedAt);
        assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(second.exitValue()).as("exit status of a graceful stop").isZero();
        assertThat(lan.holds(nsB, VIP)).isTrue();
        assertThat(lan.holds(nsA, VIP)).as("a node stopping releases the VIP").isFalse();
    }

    private String node(String name, int priority, String self, String peer, String listen, boolean follow) {
        return """
                admin: {bind: "127.0.0.1:9090"}
                listeners:
                  - {name: web, bind: "%s:8080", protocol: http, routes: [{pool: app}]}
                pools:
                  app:
                    servers: [{name: backend, address: "%s:8000"}]
                ha:
                  node: %s
                  priority: %d
                  bind: %s:7946
                  peers: [%s:7946]
                  advert_interval: 100ms
                  secret_file: ha.secret
                  listeners_follow_state: %s
                  vip: [{address: %s/24, interface: eth0}]
                """.formatted(listen, TestLan.LAN_ADDRESS, name, priority, self, peer, follow, VIP);
    }

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    private Process startNode(String ns, Path config, String log) throws IOException {
        Process node = lan.start(ns, java(List.of("dev.fulcrum.appliance.cli.FulcrumCommand", "run", "--config",
                config.toString())), dir.resolve(log));
        processes.add(node);
        return node;
    }

    private void startClient() throws IOException {
        Process side = lan.start(lan.lan(), java(List.of(LanSide.class.getName(), TestLan.LAN_ADDRESS, "8000", VIP,
                "8080", "180")), null);
        processes.add(side);
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(side.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    client.add(line);
                }
            } catch (IOException ignored) {
                // The process was stopped.
            }
        }, "lan-side-output");
        reader.setDaemon(true);
        reader.start();
        await("the backend is up").atMost(START).until(() -> client.stream().anyMatch(l -> l.endsWith(" ready")));
    }

    /**
     * When, at or after {@code since}, requests were being served through {@code balancer}: the
     * client prints only changes, so the outcome in force at {@code since} is its last line before.
     */
    private Optional<Long> servedSince(long since, String balancer) {
        String wanted = "ok " + balancer;
        String inForce = null;
        for (String line : client) {
            String[] parts = line.split(" ", 2);
            long at = Long.parseLong(parts[0]);
            if (at < since) {
                inForce = parts[1];
            } else if (wanted.equals(inForce)) {
                return Optional.of(since);
            } else if (parts[1].equals(wanted)) {
                return Optional.of(at);
            } else {
                inForce = null;
            }
        }
        return wanted.equals(inForce) ? Optional.of(since) : Optional.empty();
    }

    private void awaitLog(String log, String text) {
        await(log + " says " + text).atMost(START).until(() -> Files.exists(dir.resolve(log))
                && Files.readString(dir.resolve(log)).contains(text));
    }

    /** This JVM's java and class path: the nodes run the code under test. */
    private static List<String> java(List<String> mainAndArgs) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path")));
        command.addAll(mainAndArgs);
        return command;
    }
}
