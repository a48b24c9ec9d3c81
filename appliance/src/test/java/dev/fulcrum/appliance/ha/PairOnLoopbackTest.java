package dev.fulcrum.appliance.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.appliance.Appliance;
import dev.fulcrum.appliance.Metrics;
import dev.fulcrum.config.ConfigLoader;
import dev.fulcrum.config.FulcrumConfig;
import dev.fulcrum.ha.HaState;
import java.net.DatagramSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pair's actions that need no root: listeners following mastership, the VIP command, the track command. */
class PairOnLoopbackTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private final List<Metrics> metrics = new ArrayList<>();
    private final List<Appliance> running = new ArrayList<>();

    @AfterEach
    void stop() {
        running.forEach(Appliance::close);
        metrics.forEach(Metrics::close);
    }

    private Appliance start(String yaml) throws Exception {
        Files.writeString(dir.resolve("ha.secret"), "a secret shared by the pair\n");
        FulcrumConfig config = ConfigLoader.parse("test.yaml", yaml, dir);
        Metrics registry = new Metrics();
        metrics.add(registry);
        Appliance appliance = Appliance.start(config, registry);
        running.add(appliance);
        return appliance;
    }

    private static int[] freeUdpPorts() throws Exception {
        try (DatagramSocket a = new DatagramSocket(0); DatagramSocket b = new DatagramSocket(0)) {
            return new int[] {a.getLocalPort(), b.getLocalPort()};
        }
    }

    /** A node whose listeners follow mastership and whose VIP moves by command (appending to {@code log}). */
    private String node(String name, int priority, int bind, int peer, Path log) {
        return """
                admin: {bind: "127.0.0.1:0"}
                listeners:
                  - {name: web, bind: "127.0.0.1:0", protocol: http, routes: [{pool: p}]}
                  - {name: raw, bind: "127.0.0.1:0", protocol: tcp, pool: p}
                pools:
                  p:
                    servers: [{name: s1, address: "127.0.0.1:9"}]
                ha:
                  node: %s
                  priority: %d
                  bind: 127.0.0.1:%d
                  peers: [127.0.0.1:%d]
                  advert_interval: 50ms
                  secret_file: ha.secret
                  listeners_follow_state: true
                  vip_command:
                    acquire: [sh, -c, 'echo "acquire $1 $2" >> "$0"', %s]
                    release: [sh, -c, 'echo "release $1 $2" >> "$0"', %s]
                """.formatted(name, priority, bind, peer, log, log);
    }

    @Test
    void listenersFollowMastershipAndTheVipCommandMovesWithIt() throws Exception {
        int[] ports = freeUdpPorts();
        Path logA = dir.resolve("a.log");
        Path logB = dir.resolve("b.log");
        Appliance a = start(node("lb-a", 200, ports[0], ports[1], logA));
        Appliance b = start(node("lb-b", 100, ports[1], ports[0], logB));

        await().atMost(WAIT).until(() -> a.haState() == HaState.MASTER && b.haState() == HaState.BACKUP);
        await().atMost(WAIT).until(() -> Files.exists(logA));
        assertThat(a.listenerAddress("web").getPort()).isPositive();
        assertThat(a.listenerAddress("raw").getPort()).isPositive();
        try (Socket connected = new Socket(a.listenerAddress("web").getAddress(), a.listenerAddress("web").getPort())) {
            assertThat(connected.isConnected()).isTrue();
        }
        assertThatThrownBy(() -> b.listenerAddress("web")).hasMessageContaining("this node is not master");
        assertThat(b.listeners()).isEmpty();
        assertThat(b.tcpListeners()).isEmpty();

        // A graceful stop hands over at once: the backup binds and runs its acquire command.
        var oldAddress = a.listenerAddress("web");
        a.close();
        running.remove(a);
        await().atMost(WAIT).until(() -> b.haState() == HaState.MASTER);
        await().atMost(WAIT).until(() -> Files.exists(logB));
        assertThat(b.listenerAddress("web").getPort()).isPositive();
        assertThat(Files.readAllLines(logA)).hasSize(2).satisfies(
                lines -> assertThat(lines.get(0)).startsWith("acquire master "),
                lines -> assertThat(lines.get(1)).isEqualTo("release backup shutting down"));
        assertThat(Files.readAllLines(logB)).singleElement().asString().startsWith("acquire master ");
        assertThatThrownBy(() -> new Socket(oldAddress.getAddress(), oldAddress.getPort()).close())
                .as("the old master no longer listens").isInstanceOf(java.net.ConnectException.class);
    }

    @Test
    void aFailingTrackCommandPutsTheNodeInFaultUntilItPassesAgain() throws Exception {
        int[] ports = freeUdpPorts();
        Path unfit = dir.resolve("unfit");
        Appliance alone = start("""
                admin: {bind: "127.0.0.1:0"}
                listeners:
                  - {name: web, bind: "127.0.0.1:0", protocol: http, routes: [{pool: p}]}
                pools:
                  p:
                    servers: [{name: s1, address: "127.0.0.1:9"}]
                ha:
                  node: lb-a
                  bind: 127.0.0.1:%d
                  peers: [127.0.0.1:%d]
                  advert_interval: 50ms
                  secret_file: ha.secret
                  track_command: {command: [sh, -c, 'test ! -e "$0"', %s], interval: 100ms, fall: 2, rise: 2}
                """.formatted(ports[0], ports[1], unfit));

        await().atMost(WAIT).until(() -> alone.haState() == HaState.MASTER);
        Files.writeString(unfit, "");
        await().atMost(WAIT).until(() -> alone.haState() == HaState.FAULT);
        Files.delete(unfit);
        await().atMost(WAIT).until(() -> alone.haState() == HaState.MASTER);
    }
}
