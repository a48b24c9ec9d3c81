package dev.fulcrum.appliance.metrics;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Whether this machine has a Prometheus server to run. Where {@code FULCRUM_PROMETHEUS_IT=required}
 * (CI sets it) a missing binary fails the test; elsewhere the test is skipped and says why.
 */
final class PrometheusSupport {

    static final String REQUIRED_ENV = "FULCRUM_PROMETHEUS_IT";
    static final Path BINARY = Path.of("/usr/bin/prometheus");

    private PrometheusSupport() {
    }

    static void require() {
        if (Files.isExecutable(BINARY)) {
            return;
        }
        if ("required".equals(System.getenv(REQUIRED_ENV))) {
            fail("the Prometheus integration test cannot run here, and " + REQUIRED_ENV + "=required: "
                    + BINARY + " is missing (package prometheus)");
        }
        Assumptions.abort("the Prometheus integration test needs " + BINARY + " (package prometheus; set "
                + REQUIRED_ENV + "=required to fail instead of skipping)");
    }
}
