package dev.fulcrum.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.config.Balance;
import dev.fulcrum.config.Endpoint;
import dev.fulcrum.config.FailurePolicy;
import dev.fulcrum.config.HashOn;
import dev.fulcrum.config.Location;
import dev.fulcrum.config.OutlierDetection;
import dev.fulcrum.config.PoolConfig;
import dev.fulcrum.config.ServerConfig;
import dev.fulcrum.config.UpstreamConfig;
import dev.fulcrum.lbcore.metrics.MetricNames;
import dev.fulcrum.lbcore.pool.Pool;
import dev.fulcrum.lbcore.pool.Pools;
import dev.fulcrum.lbcore.pool.Server;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.DefaultEventLoop;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OutlierDetectorTest {

    private final DefaultEventLoop timers = new DefaultEventLoop();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void stop() {
        timers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private Pool pool(int servers, OutlierDetection outlier) {
        List<ServerConfig> list = new ArrayList<>();
        for (int i = 0; i < servers; i++) {
            list.add(new ServerConfig("s" + (i + 1), new Endpoint("127.0.0.1", 9001 + i), 100, 0, Location.NONE));
        }
        PoolConfig config = new PoolConfig("app", Balance.ROUND_ROBIN, Optional.empty(), Optional.empty(), list,
                Location.NONE, UpstreamConfig.DEFAULTS, HashOn.SOURCE,
                new FailurePolicy(Duration.ZERO, false, outlier));
        return Pools.build(Map.of("app", config)).get("app");
    }

    private OutlierDetector detector(Pool pool, OutlierDetection outlier) {
        PoolConfig config = new PoolConfig("app", Balance.ROUND_ROBIN, Optional.empty(), Optional.empty(), List.of(),
                Location.NONE, UpstreamConfig.DEFAULTS, HashOn.SOURCE, new FailurePolicy(Duration.ZERO, false, outlier));
        return new OutlierDetector(Map.of("app", pool), Map.of("app", config), timers, registry);
    }

    private static OutlierDetection failures(int count, Duration base, int percent) {
        return new OutlierDetection(count, 0, base, Duration.ofSeconds(10), percent);
    }

    @Test
    void failuresInARowEjectAServerUntilTheEjectionEnds() {
        OutlierDetection settings = failures(3, Duration.ofMillis(300), 50);
        Pool pool = pool(3, settings);
        OutlierDetector detector = detector(pool, settings);
        Server s1 = pool.servers().get(0);
        for (int i = 0; i < 3; i++) {
            detector.onFailure(s1, new ConnectException("Connection refused"));
        }
        assertThat(s1.isEjected()).isTrue();
        assertThat(s1.isInRotation()).isFalse();
        assertThat(s1.lastTransition().reason())
                .isEqualTo("ejected for 300ms after 3 failures in a row, the last: Connection refused");
        assertThat(registry.get(MetricNames.SERVER_EJECTIONS).tag("server", "s1").counter().count()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> !s1.isEjected());
        assertThat(s1.isInRotation()).isTrue();
        assertThat(s1.lastTransition().reason()).isEqualTo("ejection of 300ms ended");
    }

    @Test
    void aSuccessStartsTheCountAgain() {
        OutlierDetection settings = failures(3, Duration.ofSeconds(30), 50);
        Pool pool = pool(3, settings);
        OutlierDetector detector = detector(pool, settings);
        Server s1 = pool.servers().get(0);
        detector.onFailure(s1, new IOException("reset"));
        detector.onFailure(s1, new IOException("reset"));
        detector.onSuccess(s1);
        detector.onFailure(s1, new IOException("reset"));
        detector.onFailure(s1, new IOException("reset"));
        assertThat(s1.isEjected()).isFalse();
    }

    @Test
    void neverMoreThanTheAllowedShareOfThePoolIsEjected() {
        OutlierDetection settings = failures(1, Duration.ofSeconds(30), 50);
        Pool pool = pool(4, settings);
        OutlierDetector detector = detector(pool, settings);
        for (Server server : pool.servers()) {
            detector.onFailure(server, null);
        }
        assertThat(pool.servers().stream().filter(Server::isEjected).count()).isEqualTo(2);
        assertThat(pool.hasServerInRotation()).isTrue();

        Pool single = pool(1, settings);
        OutlierDetector alone = detector(single, settings);
        alone.onFailure(single.servers().get(0), null);
        assertThat(single.servers().get(0).isEjected()).as("passive detection alone never empties a pool").isFalse();
    }

    @Test
    void errorAnswersInARowEjectWhenConfigured() {
        OutlierDetection settings = new OutlierDetection(0, 2, Duration.ofSeconds(30), Duration.ofMinutes(1), 50);
        Pool pool = pool(2, settings);
        OutlierDetector detector = detector(pool, settings);
        Server s1 = pool.servers().get(0);
        detector.onResponse(s1, 503);
        detector.onResponse(s1, 200);
        detector.onResponse(s1, 502);
        assertThat(s1.isEjected()).isFalse();
        detector.onResponse(s1, 500);
        assertThat(s1.isEjected()).isTrue();
        assertThat(s1.lastTransition().reason()).isEqualTo("ejected for 30s after 2 5xx answers in a row, the last 500");
        detector.onFailure(pool.servers().get(1), null);
        assertThat(pool.servers().get(1).isEjected()).as("connect failures are off here").isFalse();
    }

    @Test
    void eachEjectionInARowLastsLongerUpToTheMaximum() {
        OutlierDetection settings = new OutlierDetection(1, 0, Duration.ofMillis(100), Duration.ofMillis(250), 50);
        Pool pool = pool(2, settings);
        OutlierDetector detector = detector(pool, settings);
        Server s1 = pool.servers().get(0);
        List<String> reasons = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            detector.onFailure(s1, null);
            reasons.add(s1.lastTransition().reason().split(" after ")[0]);
            await().atMost(Duration.ofSeconds(5)).until(() -> !s1.isEjected());
        }
        assertThat(reasons).containsExactly("ejected for 100ms", "ejected for 200ms", "ejected for 250ms");
    }
}
