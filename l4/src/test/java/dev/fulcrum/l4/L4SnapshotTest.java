package dev.fulcrum.l4;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.config.ConfigLoader;
import dev.fulcrum.config.FulcrumConfig;
import dev.fulcrum.lbcore.health.PassiveHealth;
import dev.fulcrum.lbcore.metrics.MetricNames;
import dev.fulcrum.lbcore.pool.Pools;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class L4SnapshotTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private L4Snapshot build(String yaml) throws Exception {
        FulcrumConfig config = ConfigLoader.parse("test.yaml", yaml, Path.of("."));
        return L4Snapshot.build(config, Pools.build(config.pools()), registry, PassiveHealth.NONE);
    }

    private int series(String name, String tag, String value) {
        return registry.find(name).tag(tag, value).meters().size();
    }

    @Test
    void closingTheReplacedSnapshotRemovesTheMetersOfRemovedListenersAndServersOnly() throws Exception {
        L4Snapshot before = build("""
                listeners:
                  - {name: kept, bind: 127.0.0.1:0, protocol: tcp, pool: p}
                  - {name: gone, bind: 127.0.0.1:0, protocol: tcp, pool: p}
                pools:
                  p:
                    servers: [{name: s1, address: 127.0.0.1:9}, {name: s2, address: 127.0.0.1:10}]
                """);
        before.target("kept").meters().accepted();
        L4Snapshot after = build("""
                listeners:
                  - {name: kept, bind: 127.0.0.1:0, protocol: tcp, pool: p}
                pools:
                  p:
                    servers: [{name: s1, address: 127.0.0.1:9}]
                """);
        before.close();

        for (String name : new String[] {MetricNames.TCP_CONNECTIONS, MetricNames.TCP_CONNECTIONS_ACTIVE,
                MetricNames.LISTENER_REFUSED, MetricNames.TCP_BYTES}) {
            assertThat(series(name, MetricNames.TAG_LISTENER, "gone")).as(name).isZero();
            assertThat(series(name, MetricNames.TAG_LISTENER, "kept")).as(name).isPositive();
        }
        assertThat(series(MetricNames.TCP_BYTES, MetricNames.TAG_SERVER, "s2")).isZero();
        assertThat(series(MetricNames.TCP_CONNECT_FAILURES, MetricNames.TAG_SERVER, "s2")).isZero();
        assertThat(after.activeConnections("kept")).as("the same counters, still counting").isEqualTo(1);

        after.close();
        assertThat(registry.getMeters()).isEmpty();
    }
}
