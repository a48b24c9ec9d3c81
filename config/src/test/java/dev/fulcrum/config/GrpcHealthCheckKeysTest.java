package dev.fulcrum.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code health_check: {type: grpc, service}}: which keys go with it, and the schema agreeing. */
class GrpcHealthCheckKeysTest {

    private static final String LISTENERS = """
            listeners:
              - {name: web, bind: 0.0.0.0:8080, protocol: http, routes: [{pool: app}]}
            """;

    @TempDir
    Path dir;

    @BeforeEach
    void files() {
        Fixtures.files(dir);
    }

    private List<String> check(String yaml) {
        return Fixtures.errors(yaml, dir);
    }

    @Test
    void aGrpcCheckReadsItsServiceAndDefaultsToTheWholeServer() {
        String yaml = LISTENERS + """
                pools:
                  app:
                    health_check: {type: grpc, service: billing.v1.Ledger, interval: 3s, timeout: 900ms, rise: 1}
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                  whole:
                    health_check: {type: grpc}
                    servers: [{name: w1, address: 127.0.0.1:9002}]
                  empty:
                    health_check: {type: grpc, service: ""}
                    tls: {verify: false}
                    servers: [{name: e1, address: 127.0.0.1:9003}]
                  secure:
                    health_check: {type: grpc, sni: grpc.internal}
                    tls: {sni: grpc.internal}
                    servers: [{name: s1, address: 127.0.0.1:9004}]
                """;
        FulcrumConfig c = Fixtures.parse(yaml, dir);
        HealthCheckConfig app = c.pool("app").orElseThrow().healthCheck().orElseThrow();
        assertThat(app.type()).isEqualTo(HealthCheckType.GRPC);
        assertThat(app.service()).isEqualTo("billing.v1.Ledger");
        assertThat(app.timeout()).hasMillis(900);
        assertThat(app.rise()).isEqualTo(1);
        assertThat(app.sni()).isEmpty();
        assertThat(c.pool("whole").orElseThrow().healthCheck().orElseThrow().service())
                .isEqualTo(HealthCheckConfig.DEFAULT_SERVICE).isEmpty();
        assertThat(c.pool("empty").orElseThrow().healthCheck().orElseThrow().service()).isEmpty();
        assertThat(c.pool("secure").orElseThrow().healthCheck().orElseThrow().sni()).contains("grpc.internal");
        assertThat(SchemaTest.schemaErrors(yaml)).isEmpty();
    }

    @Test
    void theOlderConstructorsAskForTheWholeServer() {
        HealthCheckConfig tcp = new HealthCheckConfig(HealthCheckType.TCP, "/", HealthCheckConfig.DEFAULT_INTERVAL,
                HealthCheckConfig.DEFAULT_TIMEOUT, 2, 3);
        assertThat(tcp.service()).isEmpty();
        HealthCheckConfig https = new HealthCheckConfig(HealthCheckType.HTTPS, "/", tcp.interval(), tcp.timeout(), 2,
                3, "GET", Optional.empty(), HealthCheckConfig.DEFAULT_EXPECT_STATUS, Optional.empty(), tcp.jitter(),
                true, Optional.of("a.example"));
        assertThat(https.service()).isEmpty();
    }

    @Test
    void httpKeysAreRefusedOnAGrpcCheckAndServiceOnEveryOtherType() {
        String yaml = LISTENERS + """
                pools:
                  app:
                    health_check: {type: grpc, path: /health, method: POST, host: a.example, expect_status: 200, expect_body: ok}
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                  web:
                    health_check: {type: http, service: web}
                    servers: [{name: w1, address: 127.0.0.1:9002}]
                  db:
                    health_check: {service: ""}
                    servers: [{name: d1, address: 127.0.0.1:9003}]
                """;
        assertThat(check(yaml)).containsExactly(
                "5:32: pools.app.health_check.path: 'path' applies only to health checks of type http or https,"
                        + " not grpc",
                "5:47: pools.app.health_check.method: 'method' applies only to health checks of type http or https,"
                        + " not grpc",
                "5:61: pools.app.health_check.host: 'host' applies only to health checks of type http or https,"
                        + " not grpc",
                "5:78: pools.app.health_check.expect_status: 'expect_status' applies only to health checks of type"
                        + " http or https, not grpc",
                "5:98: pools.app.health_check.expect_body: 'expect_body' applies only to health checks of type"
                        + " http or https, not grpc",
                "8:32: pools.web.health_check.service: 'service' applies only to health checks of type grpc, not"
                        + " http",
                "11:20: pools.db.health_check.service: 'service' applies only to health checks of type grpc, not"
                        + " tcp");
        assertThat(SchemaTest.schemaErrors(yaml)).isNotEmpty();
    }

    @Test
    void sniOnAGrpcCheckNeedsAPoolWithTls() {
        String yaml = LISTENERS + """
                pools:
                  app:
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                    health_check: {type: grpc, sni: grpc.internal}
                """;
        assertThat(check(yaml)).containsExactly(
                "6:32: pools.app.health_check.sni: 'sni' applies to a grpc health check only on a pool with tls;"
                        + " without it the check is plain HTTP/2 (h2c)");
        assertThat(SchemaTest.schemaErrors(yaml)).isNotEmpty();
    }

    @Test
    void aServiceMustBeText() {
        assertThat(check(LISTENERS + """
                pools:
                  app:
                    health_check: {type: grpc, service: [a, b]}
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                """)).containsExactly("5:41: pools.app.health_check.service: expected a string, got a list");
    }
}
