package dev.fulcrum.appliance.http2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.lbcore.metrics.MetricNames;
import dev.fulcrum.testing.H2Spec;
import io.micrometer.core.instrument.Counter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole h2spec suite (RFC 7540/9113, HPACK) against the appliance as configured from YAML,
 * on h2c with prior knowledge and on TLS with ALPN h2, every stream going through the proxy to
 * a real HTTP/1.1 backend. Every case must pass.
 */
class Http2ConformanceApplianceTest {

    private static final int CASES = 145;
    /** h2spec's wait for the server in each case; a loaded machine needs more than its 1 s default. */
    private static final Duration PER_CASE = Duration.ofSeconds(3);
    private static final Duration WHOLE_RUN = Duration.ofMinutes(5);

    @TempDir
    static Path dir;
    private static Http2Site site;

    @BeforeAll
    static void start() throws Exception {
        site = Http2Site.start(dir);
    }

    @AfterAll
    static void stop() {
        if (site != null) {
            site.close();
        }
    }

    @Test
    void h2cWithPriorKnowledgePassesEveryCase() {
        H2Spec.Result result = H2Spec.run("127.0.0.1", site.port(Http2Site.HTTP), false, PER_CASE, WHOLE_RUN);

        assertThat(result.total()).as(result.toString()).isEqualTo(CASES);
        assertThat(result.passed()).as(result.toString()).isEqualTo(CASES);
    }

    @Test
    void tlsWithAlpnH2PassesEveryCase() {
        H2Spec.Result result = H2Spec.run("127.0.0.1", site.port(Http2Site.HTTPS), true, PER_CASE, WHOLE_RUN);

        assertThat(result.total()).as(result.toString()).isEqualTo(CASES);
        assertThat(result.passed()).as(result.toString()).isEqualTo(CASES);
    }

    /** Section 5.1 closes connections with responses still on their way: the client left, nothing of ours broke. */
    @Test
    void clientsLeavingWithStreamsInFlightAreNoInternalErrors() {
        double before = internalErrors();

        H2Spec.Result result = H2Spec.run("127.0.0.1", site.port(Http2Site.HTTP), false, PER_CASE, WHOLE_RUN,
                "http2/5.1");

        assertThat(result.failed()).as(result.toString()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> site.metrics().registry()
                .get(MetricNames.HTTP2_STREAMS_ACTIVE).tag(MetricNames.TAG_LISTENER, Http2Site.HTTP).gauge()
                .value() == 0);
        assertThat(internalErrors() - before).isZero();
    }

    private static double internalErrors() {
        return site.metrics().registry().find(MetricNames.HTTP_INTERNAL_ERRORS)
                .tag(MetricNames.TAG_LISTENER, Http2Site.HTTP).counters().stream().mapToDouble(Counter::count).sum();
    }
}
