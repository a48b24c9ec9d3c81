package dev.fulcrum.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fulcrum.config.ConfigLoader;
import dev.fulcrum.config.FulcrumConfig;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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
    void featuresNotServedYetAreRefusedNotIgnored() throws Exception {
        FulcrumConfig config = parse("""
                admin: {bind: "127.0.0.1:0"}
                listeners:
                  - {name: web, bind: "127.0.0.1:0", protocol: http, routes: [{pool: p}]}
                  - {name: db, bind: "127.0.0.1:0", protocol: tcp, pool: p}
                pools:
                  p:
                    sticky: {cookie: SID}
                    servers: [{name: s1, address: "127.0.0.1:9"}]
                """);

        assertThatThrownBy(() -> Appliance.start(config, metrics))
                .isInstanceOf(StartException.class)
                .hasMessageContaining("pool p: sticky sessions are not served")
                .hasMessageNotContaining("listener db");
    }
}
