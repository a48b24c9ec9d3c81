package dev.fulcrum.health;

import dev.fulcrum.config.HealthCheckConfig;
import dev.fulcrum.config.HealthCheckType;
import dev.fulcrum.config.StatusRange;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A health check configuration for tests: quick checks (every 50 ms), rise 2, fall 2. */
final class CheckSpec {

    private final HealthCheckType type;
    private String path = "/";
    private Duration interval = Duration.ofMillis(50);
    private Duration timeout = Duration.ofMillis(500);
    private int rise = 2;
    private int fall = 2;
    private String method = HealthCheckConfig.DEFAULT_METHOD;
    private Optional<String> host = Optional.empty();
    private List<StatusRange> expectStatus = HealthCheckConfig.DEFAULT_EXPECT_STATUS;
    private Optional<String> expectBody = Optional.empty();
    private Duration jitter = Duration.ofMillis(10);
    private boolean initialUp = true;
    private Optional<String> sni = Optional.empty();
    private String service = HealthCheckConfig.DEFAULT_SERVICE;

    private CheckSpec(HealthCheckType type) {
        this.type = type;
    }

    static CheckSpec of(HealthCheckType type) {
        return new CheckSpec(type);
    }

    CheckSpec path(String value) {
        path = value;
        return this;
    }

    CheckSpec interval(Duration value) {
        interval = value;
        return this;
    }

    CheckSpec timeout(Duration value) {
        timeout = value;
        return this;
    }

    CheckSpec rise(int value) {
        rise = value;
        return this;
    }

    CheckSpec fall(int value) {
        fall = value;
        return this;
    }

    CheckSpec method(String value) {
        method = value;
        return this;
    }

    CheckSpec host(String value) {
        host = Optional.of(value);
        return this;
    }

    CheckSpec expectStatus(StatusRange... ranges) {
        expectStatus = List.of(ranges);
        return this;
    }

    CheckSpec expectBody(String value) {
        expectBody = Optional.of(value);
        return this;
    }

    CheckSpec initiallyDown() {
        initialUp = false;
        return this;
    }

    CheckSpec sni(String value) {
        sni = Optional.of(value);
        return this;
    }

    CheckSpec service(String value) {
        service = value;
        return this;
    }

    HealthCheckConfig build() {
        return new HealthCheckConfig(type, path, interval, timeout, rise, fall, method, host, expectStatus,
                expectBody, jitter, initialUp, sni, service);
    }
}
