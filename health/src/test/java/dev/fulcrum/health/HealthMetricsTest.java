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
}
