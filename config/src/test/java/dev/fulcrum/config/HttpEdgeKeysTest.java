package dev.fulcrum.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The http edge keys: listener timeouts client_write and tunnel_idle, limits.min_body_rate, and
 * route timeouts.response_idle and buffer_request.
 */
class HttpEdgeKeysTest {

    @TempDir
    Path dir;

    @BeforeEach
    void files() {
        Fixtures.files(dir);
    }

    private FulcrumConfig parse(String yaml) {
        return Fixtures.parse(yaml, dir);
    }

    private List<String> check(String yaml) {
        return Fixtures.errors(yaml, dir);
    }

    @Test
    void writtenValuesAreParsed() {
        FulcrumConfig c = parse("""
                listeners:
                  - name: web
                    bind: 0.0.0.0:8080
                    protocol: http
                    timeouts: {client_write: 30s, tunnel_idle: 2h}
                    limits: {min_body_rate: 1KiB/s}
                    routes:
                      - {name: upload, pool: app, timeouts: {response: 2m, response_idle: 20s}, buffer_request: 1MiB}
                      - {name: stream, pool: app, buffer_request: 0}
                      - {name: most, pool: app, buffer_request: 64MiB}
                  - {name: off, bind: 0.0.0.0:8081, protocol: http, limits: {min_body_rate: 0}, routes: [{pool: app}]}
                  - {name: plain, bind: 0.0.0.0:8082, protocol: http, limits: {min_body_rate: 4096/s}, routes: [{pool: app}]}
                  - {name: zero, bind: 0.0.0.0:8083, protocol: http, limits: {min_body_rate: 0B/s}, routes: [{pool: app}]}
                """ + ValidationTest.POOLS);
        ListenerConfig web = c.listener("web").orElseThrow();
        assertThat(web.edge().timeouts().clientWrite()).isEqualTo(Duration.ofSeconds(30));
        assertThat(web.edge().timeouts().tunnelIdle()).isEqualTo(Duration.ofHours(2));
        assertThat(web.edge().timeouts().clientIdle()).isEqualTo(ListenerTimeouts.DEFAULT_CLIENT_IDLE);
        assertThat(web.edge().limits().minBodyRate()).isEqualTo(1024);
        RoutePolicy upload = web.routes().get(0).policy();
        assertThat(upload.responseTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(upload.responseIdleTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(upload.bufferRequest()).isEqualTo(1024 * 1024);
        assertThat(web.routes().get(1).policy().bufferRequest()).isZero();
        assertThat(web.routes().get(2).policy().bufferRequest()).isEqualTo(RoutePolicy.MAX_BUFFER_REQUEST);
        assertThat(c.listener("off").orElseThrow().edge().limits().minBodyRate()).isZero();
        assertThat(c.listener("plain").orElseThrow().edge().limits().minBodyRate()).isEqualTo(4096);
        assertThat(c.listener("zero").orElseThrow().edge().limits().minBodyRate()).isZero();
    }

    @Test
    void defaultsWhenNotWritten() {
        FulcrumConfig c = parse("""
                listeners:
                  - {name: bare, bind: 0.0.0.0:8080, protocol: http, routes: [{pool: app}]}
                  - name: some
                    bind: 0.0.0.0:8081
                    protocol: http
                    timeouts: {request_header: 5s}
                    limits: {headers: 50}
                    routes: [{pool: app, timeouts: {response: 5s}}]
                """ + ValidationTest.POOLS);
        for (ListenerConfig l : c.listeners()) {
            assertThat(l.edge().timeouts().clientWrite()).isEqualTo(ListenerTimeouts.DEFAULT_CLIENT_WRITE)
                    .isEqualTo(Duration.ofMinutes(1));
            assertThat(l.edge().timeouts().tunnelIdle()).isEqualTo(ListenerTimeouts.DEFAULT_TUNNEL_IDLE)
                    .isEqualTo(Duration.ofHours(1));
            assertThat(l.edge().limits().minBodyRate()).isEqualTo(ListenerLimits.DEFAULT_MIN_BODY_RATE)
                    .isEqualTo(240);
            RoutePolicy policy = l.routes().get(0).policy();
            assertThat(policy.responseIdleTimeout()).isEqualTo(RoutePolicy.DEFAULT_RESPONSE_IDLE_TIMEOUT)
                    .isEqualTo(Duration.ofMinutes(1));
            assertThat(policy.bufferRequest()).isEqualTo(RoutePolicy.DEFAULT_BUFFER_REQUEST).isEqualTo(64 * 1024);
        }
        assertThat(c.listener("some").orElseThrow().routes().get(0).policy().responseTimeout())
                .isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void badValuesAreReportedWhereTheyAreWritten() {
        assertThat(check("""
                listeners:
                  - name: web
                    bind: 0.0.0.0:8080
                    protocol: http
                    timeouts: {client_write: 0s, tunnel_idle: forever}
                    limits: {min_body_rate: 240B}
                    routes:
                      - {pool: app, timeouts: {response_idle: 0}, buffer_request: 65MiB}
                      - {pool: app, buffer_request: lots}
                      - {pool: app, buffer_request: -1}
                  - {name: a, bind: 0.0.0.0:8081, protocol: http, limits: {min_body_rate: 1KiB/m}, routes: [{pool: app}]}
                  - {name: b, bind: 0.0.0.0:8082, protocol: http, limits: {min_body_rate: 1.5KiB/s}, routes: [{pool: app}]}
                  - {name: c, bind: 0.0.0.0:8083, protocol: http, limits: {min_body_rate: 1kb/s}, routes: [{pool: app}]}
                  - {name: d, bind: 0.0.0.0:8084, protocol: http, limits: {min_body_rate: 10}, routes: [{pool: app}]}
                """ + ValidationTest.POOLS)).containsExactly(
                "5:30: listeners[0].timeouts.client_write: expected a duration greater than 0, e.g. 250ms or 2s",
                "5:47: listeners[0].timeouts.tunnel_idle: invalid duration 'forever'; expected a number with a unit,"
                        + " e.g. 250ms, 2s, 1m, 1h or 1m30s",
                "6:29: listeners[0].limits.min_body_rate: rate '240B' has no '/s'; expected a rate like 240B/s or"
                        + " 1KiB/s, or 0 to turn it off",
                "8:47: listeners[0].routes[0].timeouts.response_idle: expected a duration greater than 0, e.g. 250ms"
                        + " or 2s",
                "8:67: listeners[0].routes[0].buffer_request: 65MiB is too large; expected a size from 0 to 64MiB"
                        + " (0 streams the body at once)",
                "9:37: listeners[0].routes[1].buffer_request: invalid size 'lots'; expected a byte count or a number"
                        + " with KiB, MiB, GiB or TiB, e.g. 64KiB",
                "10:37: listeners[0].routes[2].buffer_request: negative size '-1'; sizes are >= 0",
                "11:75: listeners[1].limits.min_body_rate: rate '1KiB/m' must be per second ('/s'); expected a rate"
                        + " like 240B/s or 1KiB/s, or 0 to turn it off",
                "12:75: listeners[2].limits.min_body_rate: invalid rate '1.5KiB/s': fractional size '1.5KiB'; use a"
                        + " smaller unit instead, e.g. 1536KiB rather than 1.5MiB",
                "13:75: listeners[3].limits.min_body_rate: invalid rate '1kb/s': unknown or ambiguous unit 'kb' in"
                        + " size '1kb'; write 'KiB' (powers of 1024) or a plain byte count",
                "14:75: listeners[4].limits.min_body_rate: rate '10' has no '/s'; expected a rate like 240B/s or"
                        + " 1KiB/s, or 0 to turn it off");
    }

    @Test
    void theNewKeysAreRefusedOnTcpListeners() {
        assertThat(check("""
                listeners:
                  - name: db
                    bind: 0.0.0.0:5432
                    protocol: tcp
                    timeouts: {client_write: 1m, tunnel_idle: 1h}
                    limits: {min_body_rate: 240B/s}
                    routes:
                      - {pool: app, buffer_request: 0, timeouts: {response_idle: 5s}}
                """ + ValidationTest.POOLS)).containsExactly(
                "5:5: listeners[0].timeouts: 'timeouts' applies only to http and https listeners, not tcp",
                "6:5: listeners[0].limits: 'limits' applies only to http and https listeners, not tcp",
                "8:21: listeners[0].routes[0].buffer_request: 'buffer_request' on a route applies only to http and"
                        + " https listeners, not tcp",
                "8:40: listeners[0].routes[0].timeouts: 'timeouts' on a route applies only to http and https"
                        + " listeners, not tcp");
    }
}
