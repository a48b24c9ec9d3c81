package dev.fulcrum.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.fulcrum.lbcore.metrics.MetricNames;
import dev.fulcrum.lbcore.pool.AdminState;
import dev.fulcrum.lbcore.pool.Pool;
import dev.fulcrum.lbcore.pool.RoundRobinBalancer;
import dev.fulcrum.lbcore.pool.Server;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class HealthMetricsTest {

    @Test
    void everyTransitionIsLoggedOnceWithItsReasonAndCountedByCause() {
        Server server = new Server("web", "web-1", 0, new InetSocketAddress("127.0.0.1", 9001), 100, 0);
        Pool pool = new Pool("web", List.of(server), new RoundRobinBalancer(List.of(server)));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Logger logger = (Logger) LoggerFactory.getLogger(HealthMetrics.class);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Level before = logger.getLevel();
        logger.setLevel(Level.INFO);
        logger.addAppender(log);
        try {
            HealthMetrics.bind(Map.of("web", pool), registry);
            server.setHealthy(false, "2 failed checks: connection refused");
            assertThat(registry.get(MetricNames.SERVER_UP).tag("server", "web-1").gauge().value()).isZero();
            server.setHealthy(true, "2 passed checks");
            server.setAdminState(AdminState.DRAINING, "drained by admin");
            assertThat(registry.get(MetricNames.SERVER_IN_ROTATION).tag("server", "web-1").gauge().value()).isZero();
            assertThat(registry.get(MetricNames.SERVER_UP).tag("server", "web-1").gauge().value()).isEqualTo(1);
        } finally {
            logger.detachAppender(log);
            logger.setLevel(before);
        }
        assertThat(log.list).extracting(ILoggingEvent::getLevel, ILoggingEvent::getFormattedMessage).containsExactly(
                tuple(Level.WARN, "server web/web-1: up -> down: 2 failed checks: connection refused"),
                tuple(Level.INFO, "server web/web-1: down -> up: 2 passed checks"),
                tuple(Level.WARN, "server web/web-1: up -> draining: drained by admin"));
        assertThat(registry.get(MetricNames.SERVER_TRANSITIONS).tag("to", "down").tag("cause", "health_check")
                .counter().count()).isEqualTo(1);
        assertThat(registry.get(MetricNames.SERVER_TRANSITIONS).tag("to", "draining").tag("cause", "admin")
                .counter().count()).isEqualTo(1);
    }

    @Test
    void aReloadKeepsTheMetersOfKeptServersAndRemovesThoseOfRemovedOnes() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Server kept = new Server("web", "web-1", 0, new InetSocketAddress("127.0.0.1", 9001), 100, 0);
        Server removed = new Server("web", "web-2", 1, new InetSocketAddress("127.0.0.1", 9002), 100, 0);
        Server other = new Server("old", "old-1", 0, new InetSocketAddress("127.0.0.1", 9003), 100, 0);
        Map<String, Pool> before = Map.of(
                "web", new Pool("web", List.of(kept, removed), new RoundRobinBalancer(List.of(kept, removed))),
                "old", new Pool("old", List.of(other), new RoundRobinBalancer(List.of(other))));
        HealthMetrics first = HealthMetrics.bind(before, registry);
        kept.setHealthy(false, "down");
        removed.setHealthy(false, "down");

        Server keptAfter = new Server("web", "web-1", 0, new InetSocketAddress("127.0.0.1", 9001), 100, 0);
        keptAfter.inheritState(kept);
        HealthMetrics second = HealthMetrics.bind(Map.of("web",
                new Pool("web", List.of(keptAfter), new RoundRobinBalancer(List.of(keptAfter)))), registry);
        first.close();

        assertThat(registry.find(MetricNames.SERVER_UP).tag("server", "web-2").gauge()).isNull();
        assertThat(registry.find(MetricNames.SERVER_CONNECTIONS_ACTIVE).tag("server", "web-2").gauge()).isNull();
        assertThat(registry.find(MetricNames.SERVER_TRANSITIONS).tag("server", "web-2").counters()).isEmpty();
        assertThat(registry.find(MetricNames.POOL_PANIC).tag("pool", "old").gauge()).isNull();
        assertThat(registry.find(MetricNames.SERVER_UP).tag("server", "old-1").gauge()).isNull();
        // The kept server's gauges read the new server object; its transitions go on counting.
        keptAfter.setHealthy(true, "up");
        assertThat(registry.get(MetricNames.SERVER_UP).tag("server", "web-1").gauge().value()).isEqualTo(1);
        keptAfter.setHealthy(false, "down again");
        assertThat(registry.get(MetricNames.SERVER_TRANSITIONS).tag("server", "web-1").tag("to", "down")
                .counter().count()).isEqualTo(2);

        second.close();
        assertThat(registry.getMeters()).isEmpty();
    }
}
