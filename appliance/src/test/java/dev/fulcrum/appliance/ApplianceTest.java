package dev.fulcrum.appliance;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fulcrum.config.ConfigLoader;
import dev.fulcrum.config.FulcrumConfig;
import java.net.InetSocketAddress;
import dev.fulcrum.tls.SelfSigned;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApplianceTest {

    private Metrics metrics;

    @BeforeEach
    void metrics() {
        metrics = new Metrics();
    }

    @AfterEach
    void close() {
        metrics.close();
    }

    private static FulcrumConfig parse(String yaml) throws Exception {
        return ConfigLoader.parse("test.yaml", yaml, Path.of("."));
    }

    @Test
    void bindsEveryListenerAndTheAdminOnEphemeralPorts() throws Exception {
        FulcrumConfig config = parse("""
                admin: {bind: "127.0.0.1:0"}
                listeners:
                  - {name: a, bind: "127.0.0.1:0", protocol: http, routes: [{pool: p}]}
                  - {name: b, bind: "127.0.0.1:0", protocol: http, routes: [{pool: p}]}
                pools:
                  p:
                    servers: [{name: s1, address: "127.0.0.1:9"}]
                """);

        try (Appliance appliance = Appliance.start(config, metrics)) {
            assertThat(appliance.listenerAddress("a").getPort()).isPositive();
            assertThat(appliance.listenerAddress("b").getPort()).isPositive()
                    .isNotEqualTo(appliance.listenerAddress("a").getPort());
            assertThat(appliance.adminAddress().getPort()).isPositive();
        }
    }

    @Test
    void aTakenAdminPortFailsTheStartAsAStartError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            FulcrumConfig config = parse("""
                    admin: {bind: "127.0.0.1:%d"}
                    listeners:
                      - {name: web, bind: "127.0.0.1:0", protocol: http, routes: [{pool: p}]}
                    pools:
                      p:
                        servers: [{name: s1, address: "127.0.0.1:9"}]
                    """.formatted(taken.getLocalPort()));

            // Not the bind exception itself, which Netty throws undeclared and would skip the cleanup.
            assertThatThrownBy(() -> Appliance.start(config, metrics))
                    .isInstanceOf(StartException.class)
                    .hasMessageContaining("admin: cannot bind 127.0.0.1:" + taken.getLocalPort());
        }
    }

    @Test
    void aTakenPortFailsTheStartWithTheListenerNamedAndLeavesNothingBound() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            FulcrumConfig config = parse("""
                    admin: {bind: "127.0.0.1:0"}
                    listeners:
                      - {name: web, bind: "127.0.0.1:%d", protocol: http, routes: [{pool: p}]}
                    pools:
                      p:
                        servers: [{name: s1, address: "127.0.0.1:9"}]
                    """.formatted(taken.getLocalPort()));

            assertThatThrownBy(() -> Appliance.start(config, metrics))
                    .isInstanceOf(StartException.class)
                    .hasMessageContaining("listener web")
                    .hasMessageContaining("cannot bind 127.0.0.1:" + taken.getLocalPort());
        }
    }

    @Test
    void featuresNotServedYetAreRefusedNotIgnored(@TempDir Path dir) throws Exception {
        SelfSigned.Written site = SelfSigned.write("localhost", dir);
        FulcrumConfig config = ConfigLoader.parse("test.yaml", """
                admin: {bind: "127.0.0.1:0"}
                certificates: [{name: site, cert: %s, key: %s}]
                listeners:
                  - {name: web, bind: "127.0.0.1:0", protocol: http, routes: [{pool: p}]}
                  - {name: pass, bind: "127.0.0.1:0", protocol: tls, certificates: [site],
                     routes: [{match: {sni: a.example.com}, pool: p}]}
                pools:
                  p:
                    servers: [{name: s1, address: "127.0.0.1:9"}]
                """.formatted(site.cert(), site.key()), dir);

        assertThatThrownBy(() -> Appliance.start(config, metrics))
                .isInstanceOf(StartException.class)
                .hasMessageContaining("routes on a tls listener are not served")
                .hasMessageNotContaining("listener web");
    }

    @Test
    void aFailingTrackedPoolPutsTheNodeOfThePairInFault(@TempDir Path dir) throws Exception {
        java.nio.file.Files.writeString(dir.resolve("ha.secret"), "a secret shared by the pair\n");
        int dead;
        try (ServerSocket closed = new ServerSocket(0)) {
            dead = closed.getLocalPort();
        }
        int bind;
        int peer;
        try (java.net.DatagramSocket a = new java.net.DatagramSocket(0);
             java.net.DatagramSocket b = new java.net.DatagramSocket(0)) {
            bind = a.getLocalPort();
            peer = b.getLocalPort();
        }
        // Notify commands get the state and the reason appended: the script touches only its file ($0).
        FulcrumConfig config = ConfigLoader.parse("test.yaml", """
                admin: {bind: "127.0.0.1:0"}
                listeners:
                  - {name: web, bind: "127.0.0.1:0", protocol: http, routes: [{pool: p}]}
                pools:
                  p:
                    health_check: {type: tcp, interval: 100ms, timeout: 50ms, rise: 1, fall: 1}
                    servers: [{name: s1, address: "127.0.0.1:%d"}]
                ha:
                  node: lb-a
                  priority: 100
                  bind: 127.0.0.1:%d
                  peers: [127.0.0.1:%d]
                  advert_interval: 50ms
                  secret_file: ha.secret
                  notify: {master: [sh, -c, 'touch "$0"', %s], fault: [sh, -c, 'touch "$0"', %s]}
                  track_pools: [p]
                """.formatted(dead, bind, peer, dir.resolve("was-master"), dir.resolve("was-fault")), dir);
        try (Appliance appliance = Appliance.start(config, metrics)) {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> java.nio.file.Files.exists(dir.resolve("was-fault")));
            assertThat(appliance.haState()).isEqualTo(dev.fulcrum.ha.HaState.FAULT);
        }
    }

    @Test
    void anHttpListenerHoldsItsConnectionCap() throws Exception {
        FulcrumConfig config = parse("""
                admin: {bind: "127.0.0.1:0"}
                listeners:
                  - {name: web, bind: "127.0.0.1:0", protocol: http, max_connections: 1,
                     routes: [{respond: {status: 200, body: ok}}]}
                pools:
                  p:
                    servers: [{name: s1, address: "127.0.0.1:9"}]
                """);
        try (Appliance appliance = Appliance.start(config, metrics)) {
            InetSocketAddress web = appliance.listenerAddress("web");
            try (Socket first = new Socket(web.getAddress(), web.getPort())) {
                first.setSoTimeout(10_000);
                first.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(US_ASCII));
                byte[] head = first.getInputStream().readNBytes(15);
                assertThat(new String(head, US_ASCII)).isEqualTo("HTTP/1.1 200 OK");
                try (Socket second = new Socket(web.getAddress(), web.getPort())) {
                    second.setSoTimeout(10_000);
                    assertThat(second.getInputStream().read()).as("refused at the cap").isEqualTo(-1);
                }
            }
            assertThat(metrics.registry().get("fulcrum.listener.connections.refused")
                    .tag("listener", "web").tag("reason", "max_connections").counter().count()).isEqualTo(1);
        }
    }

    @Test
    void aTcpListenerRoutingOnServerNamesStarts() throws Exception {
        FulcrumConfig config = parse("""
                admin: {bind: "127.0.0.1:0"}
                listeners:
                  - name: tls-pass
                    bind: "127.0.0.1:0"
                    protocol: tcp
                    routes: [{match: {sni: a.example.com}, pool: p}]
                pools:
                  p:
                    servers: [{name: s1, address: "127.0.0.1:9"}]
                """);
        try (Appliance appliance = Appliance.start(config, metrics)) {
            assertThat(appliance.listenerAddress("tls-pass").getPort()).isPositive();
        }
    }

    @Test
    void aNodeOfThePairAloneBecomesMasterAndRunsItsNotify(@TempDir Path dir) throws Exception {
        java.nio.file.Files.writeString(dir.resolve("ha.secret"), "a secret shared by the pair\n");
        int bind;
        int peer;
        try (java.net.DatagramSocket a = new java.net.DatagramSocket(0);
             java.net.DatagramSocket b = new java.net.DatagramSocket(0)) {
            bind = a.getLocalPort();
            peer = b.getLocalPort();
        }
        FulcrumConfig config = ConfigLoader.parse("test.yaml", """
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
                  notify: {master: [sh, -c, 'touch "$0"', %s]}
                """.formatted(bind, peer, dir.resolve("was-master")), dir);
        try (Appliance appliance = Appliance.start(config, metrics)) {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> java.nio.file.Files.exists(dir.resolve("was-master")));
            assertThat(appliance.haState()).isEqualTo(dev.fulcrum.ha.HaState.MASTER);
        }
    }
}
