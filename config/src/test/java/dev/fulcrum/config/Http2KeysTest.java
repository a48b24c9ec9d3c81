package dev.fulcrum.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP/2 keys: a listener's http2 (on, off or settings), a pool's protocol and http2 settings. */
class Http2KeysTest {

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

    private static final String TLS_LISTENER = """
            certificates:
              - {name: site, cert: certs/site.crt, key: certs/site.key}
            """;

    @Test
    void onWithTheDefaultsUnlessWritten() {
        FulcrumConfig c = parse(TLS_LISTENER + """
                listeners:
                  - {name: bare, bind: 0.0.0.0:8080, protocol: http, routes: [{pool: app}]}
                  - {name: on, bind: 0.0.0.0:8081, protocol: http, http2: true, routes: [{pool: app}]}
                  - {name: empty, bind: 0.0.0.0:8082, protocol: http, http2: {}, routes: [{pool: app}]}
                  - {name: secure, bind: 0.0.0.0:8443, protocol: https, certificates: [site], routes: [{pool: app}]}
                  - {name: db, bind: 0.0.0.0:5432, protocol: tcp, pool: app}
                """ + ValidationTest.POOLS);
        for (ListenerConfig l : c.listeners()) {
            assertThat(l.edge().http2()).as(l.name()).isEqualTo(Http2Config.DEFAULTS);
        }
        Http2Config d = Http2Config.DEFAULTS;
        assertThat(d.enabled()).isTrue();
        assertThat(List.of(d.maxConcurrentStreams(), d.initialWindow(), d.connectionWindow(), d.maxHeaderList(),
                d.maxFrame(), d.maxResets(), d.maxResetsSent(), d.maxSmallContinuations(), d.maxEmptyData(),
                d.maxQueuedControlFrames(), d.maxControlFrames(), d.maxRequests()))
                .containsExactly(100, 65536, 1048576, 16384, 16384, 200, 200, 16, 2, 10000, 1000, 0);
        assertThat(d.resetWindow()).isEqualTo(Duration.ofSeconds(30));
        assertThat(d.floodWindow()).isEqualTo(Duration.ofSeconds(10));
        assertThat(HttpEdgeConfig.DEFAULTS.http2()).isEqualTo(d);

        UpstreamConfig upstream = c.pool("app").orElseThrow().upstream();
        assertThat(upstream.protocol()).isEqualTo(UpstreamProtocol.HTTP1);
        assertThat(upstream.http2()).isEqualTo(UpstreamHttp2Config.DEFAULTS)
                .isEqualTo(new UpstreamHttp2Config(100, 65536, 1048576, 16384, 0, Duration.ofSeconds(30),
                        Duration.ofSeconds(10)));
        assertThat(UpstreamConfig.DEFAULTS.protocol()).isEqualTo(UpstreamProtocol.HTTP1);
    }

    @Test
    void falseTurnsHttp2Off() {
        FulcrumConfig c = parse(TLS_LISTENER + """
                listeners:
                  - {name: web, bind: 0.0.0.0:8080, protocol: http, http2: false, routes: [{pool: app}]}
                  - {name: secure, bind: 0.0.0.0:8443, protocol: https, certificates: [site], http2: false,
                     routes: [{pool: app}]}
                """ + ValidationTest.POOLS);
        for (ListenerConfig l : c.listeners()) {
            assertThat(l.edge().http2()).as(l.name()).isEqualTo(Http2Config.DISABLED);
            assertThat(l.edge().http2().enabled()).isFalse();
        }
    }

    @Test
    void everySettingIsRead() {
        FulcrumConfig c = parse("""
                listeners:
                  - name: web
                    bind: 0.0.0.0:8080
                    protocol: http
                    http2:
                      max_concurrent_streams: 2147483647
                      initial_window: 65535
                      connection_window: 2147483647
                      max_header_list: 1MiB
                      max_frame: 16777215
                      max_resets: 1
                      max_resets_sent: 2
                      reset_window: 1h
                      max_small_continuations: 3
                      max_empty_data: 1
                      max_queued_control_frames: 4
                      max_control_frames: 5
                      flood_window: 1500ms
                      max_requests: 6
                    routes: [{pool: app}]
                pools:
                  app:
                    protocol: http2
                    http2:
                      max_concurrent_streams: 1
                      initial_window: 1MiB
                      connection_window: 1MiB
                      max_header_list: 1KiB
                      max_requests: 7
                      ping_interval: 0
                      ping_timeout: 250ms
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                  tls:
                    protocol: auto
                    tls: {verify: false}
                    http2: {max_requests: 8}
                    servers: [{name: t1, address: 127.0.0.1:9443}]
                  h1:
                    protocol: http1
                    servers: [{name: h1, address: 127.0.0.1:9002}]
                """);
        assertThat(c.listener("web").orElseThrow().edge().http2()).isEqualTo(new Http2Config(true, Integer.MAX_VALUE,
                65535, Integer.MAX_VALUE, 1 << 20, 16_777_215, 1, 2, Duration.ofHours(1), 3, 1, 4, 5,
                Duration.ofMillis(1500), 6));
        UpstreamConfig app = c.pool("app").orElseThrow().upstream();
        assertThat(app.protocol()).isEqualTo(UpstreamProtocol.HTTP2);
        assertThat(app.http2()).isEqualTo(new UpstreamHttp2Config(1, 1 << 20, 1 << 20, 1024, 7, Duration.ZERO,
                Duration.ofMillis(250)));
        UpstreamConfig tls = c.pool("tls").orElseThrow().upstream();
        assertThat(tls.protocol()).isEqualTo(UpstreamProtocol.AUTO);
        assertThat(tls.http2().maxRequests()).isEqualTo(8);
        assertThat(tls.http2().initialWindow()).isEqualTo(Http2Config.DEFAULT_INITIAL_WINDOW);
        assertThat(c.pool("h1").orElseThrow().upstream().protocol()).isEqualTo(UpstreamProtocol.HTTP1);
        assertThat(UpstreamProtocol.AUTO.key()).isEqualTo("auto");
    }

    @Test
    void everyBoundIsCheckedWhereItIsWritten() {
        assertThat(check("""
                listeners:
                  - name: low
                    bind: 0.0.0.0:8080
                    protocol: http
                    http2:
                      max_concurrent_streams: 0
                      initial_window: 65534
                      connection_window: 0
                      max_header_list: 1023
                      max_frame: 16383
                      max_resets: 0
                      max_resets_sent: 0
                      reset_window: 0
                      max_small_continuations: 0
                      max_empty_data: 0
                      max_queued_control_frames: 0
                      max_control_frames: 0
                      flood_window: 999ms
                      max_requests: -1
                    routes: [{pool: app}]
                  - name: high
                    bind: 0.0.0.0:8081
                    protocol: http
                    http2:
                      max_concurrent_streams: 2147483648
                      initial_window: 2GiB
                      connection_window: 2GiB
                      max_header_list: 1025KiB
                      max_frame: 16MiB
                      reset_window: 1h1s
                      flood_window: 2h
                    routes: [{pool: app}]
                  - name: odd
                    bind: 0.0.0.0:8082
                    protocol: http
                    http2: {reset_window: 1500ms, max_resets: lots, initial_window: 64KB}
                    routes: [{pool: app}]
                pools:
                  app:
                    protocol: http2
                    http2:
                      max_concurrent_streams: 0
                      initial_window: 1KiB
                      connection_window: 2GiB
                      max_header_list: 2MiB
                      max_requests: -1
                      ping_interval: soon
                      ping_timeout: 0s
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                """)).containsExactly(
                "6:31: listeners[0].http2.max_concurrent_streams: 0 is out of range; expected an integer >= 1",
                "7:23: listeners[0].http2.initial_window: 65534B is out of range; expected a size from 65535B to"
                        + " 2147483647B",
                "8:26: listeners[0].http2.connection_window: 0B is out of range; expected a size from 65535B to"
                        + " 2147483647B",
                "9:24: listeners[0].http2.max_header_list: 1023B is out of range; expected a size from 1KiB to 1MiB",
                "10:18: listeners[0].http2.max_frame: 16383B is out of range; expected a size from 16KiB to"
                        + " 16777215B",
                "11:19: listeners[0].http2.max_resets: 0 is out of range; expected an integer >= 1",
                "12:24: listeners[0].http2.max_resets_sent: 0 is out of range; expected an integer >= 1",
                "13:21: listeners[0].http2.reset_window: 0 is out of range; expected a duration from 1s to 1h",
                "14:32: listeners[0].http2.max_small_continuations: 0 is out of range; expected an integer >= 1",
                "15:23: listeners[0].http2.max_empty_data: 0 is out of range; expected an integer >= 1",
                "16:34: listeners[0].http2.max_queued_control_frames: 0 is out of range; expected an integer >= 1",
                "17:27: listeners[0].http2.max_control_frames: 0 is out of range; expected an integer >= 1",
                "18:21: listeners[0].http2.flood_window: 999ms is out of range; expected a duration from 1s to 1h",
                "19:21: listeners[0].http2.max_requests: -1 is out of range; expected an integer >= 0",
                "25:31: listeners[1].http2.max_concurrent_streams: 2147483648 is out of range; expected an integer"
                        + " >= 1",
                "26:23: listeners[1].http2.initial_window: 2GiB is out of range; expected a size from 65535B to"
                        + " 2147483647B",
                "27:26: listeners[1].http2.connection_window: 2GiB is out of range; expected a size from 65535B to"
                        + " 2147483647B",
                "28:24: listeners[1].http2.max_header_list: 1025KiB is out of range; expected a size from 1KiB to"
                        + " 1MiB",
                "29:18: listeners[1].http2.max_frame: 16MiB is out of range; expected a size from 16KiB to"
                        + " 16777215B",
                "30:21: listeners[1].http2.reset_window: 1h1s is out of range; expected a duration from 1s to 1h",
                "31:21: listeners[1].http2.flood_window: 2h is out of range; expected a duration from 1s to 1h",
                "36:27: listeners[2].http2.reset_window: 1s500ms is not a whole number of seconds; expected e.g. 30s",
                "36:47: listeners[2].http2.max_resets: expected an integer >= 1, got 'lots'",
                "36:69: listeners[2].http2.initial_window: unknown or ambiguous unit 'KB' in size '64KB'; write 'KiB'"
                        + " (powers of 1024) or a plain byte count",
                "42:31: pools.app.http2.max_concurrent_streams: 0 is out of range; expected an integer >= 1",
                "43:23: pools.app.http2.initial_window: 1KiB is out of range; expected a size from 65535B to"
                        + " 2147483647B",
                "44:26: pools.app.http2.connection_window: 2GiB is out of range; expected a size from 65535B to"
                        + " 2147483647B",
                "45:24: pools.app.http2.max_header_list: 2MiB is out of range; expected a size from 1KiB to 1MiB",
                "46:21: pools.app.http2.max_requests: -1 is out of range; expected an integer >= 0",
                "47:22: pools.app.http2.ping_interval: invalid duration 'soon'; expected a number with a unit, e.g."
                        + " 250ms, 2s, 1m, 1h or 1m30s",
                "48:21: pools.app.http2.ping_timeout: expected a duration greater than 0, e.g. 250ms or 2s");
    }

    @Test
    void theConnectionWindowIsAtLeastTheStreamWindow() {
        assertThat(check("""
                listeners:
                  - name: web
                    bind: 0.0.0.0:8080
                    protocol: http
                    http2: {initial_window: 1MiB, connection_window: 512KiB}
                    routes: [{pool: app}]
                  - name: implied
                    bind: 0.0.0.0:8081
                    protocol: http
                    http2: {initial_window: 2MiB}
                    routes: [{pool: app}]
                  - {name: equal, bind: 0.0.0.0:8082, protocol: http, http2: {initial_window: 1MiB}, routes: [{pool: app}]}
                pools:
                  app:
                    protocol: http2
                    http2: {connection_window: 65535}
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                """)).containsExactly(
                "5:54: listeners[0].http2.connection_window: connection_window 512KiB must not be smaller than"
                        + " initial_window 1MiB",
                "10:29: listeners[1].http2.connection_window: connection_window 1MiB (the default) must not be"
                        + " smaller than initial_window 2MiB",
                "16:32: pools.app.http2.connection_window: connection_window 65535B must not be smaller than"
                        + " initial_window 64KiB");
    }

    @Test
    void onlyTrueFalseOrAMapping() {
        assertThat(check("""
                listeners:
                  - {name: a, bind: 0.0.0.0:8080, protocol: http, http2: yes, routes: [{pool: app}]}
                  - {name: b, bind: 0.0.0.0:8081, protocol: http, http2: h2c, routes: [{pool: app}]}
                  - {name: c, bind: 0.0.0.0:8082, protocol: http, http2: [max_frame], routes: [{pool: app}]}
                  - {name: d, bind: 0.0.0.0:8083, protocol: http, http2: , routes: [{pool: app}]}
                pools:
                  app:
                    protocol: http2
                    http2: true
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                """)).containsExactly(
                "2:58: listeners[0].http2: expected true, false or a mapping of HTTP/2 settings, got the boolean"
                        + " 'yes'",
                "3:58: listeners[1].http2: expected true, false or a mapping of HTTP/2 settings, got 'h2c'",
                "4:58: listeners[2].http2: expected true, false or a mapping of HTTP/2 settings, got a list",
                "5:57: listeners[3].http2: expected true, false or a mapping of HTTP/2 settings, got an empty value",
                "9:12: pools.app.http2: expected a mapping (upstream_http2), got the boolean 'true'");
    }

    @Test
    void unknownSettingsGetADidYouMean() {
        assertThat(check("""
                listeners:
                  - name: web
                    bind: 0.0.0.0:8080
                    protocol: http
                    http2: {max_concurrent_stream: 10, max_reset: 5}
                    routes: [{pool: app}]
                pools:
                  app:
                    protocol: http2
                    http2: {ping_intervall: 5s}
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                """)).containsExactly(
                "5:13: listeners[0].http2.max_concurrent_stream: unknown key 'max_concurrent_stream' in"
                        + " listener_http2; did you mean 'max_concurrent_streams'?",
                "5:40: listeners[0].http2.max_reset: unknown key 'max_reset' in listener_http2; did you mean"
                        + " 'max_resets'?",
                "10:13: pools.app.http2.ping_intervall: unknown key 'ping_intervall' in upstream_http2; did you mean"
                        + " 'ping_interval'?");
    }

    @Test
    void http2IsRefusedOnTcpAndTlsListeners() {
        assertThat(check(TLS_LISTENER + """
                listeners:
                  - {name: db, bind: 0.0.0.0:5432, protocol: tcp, pool: app, http2: false}
                  - {name: pass, bind: 0.0.0.0:8443, protocol: tls, certificates: [site], pool: app,
                     http2: {max_frame: 32KiB}}
                """ + ValidationTest.POOLS)).containsExactly(
                "4:62: listeners[0].http2: 'http2' applies only to http and https listeners, not tcp",
                "6:6: listeners[1].http2: 'http2' applies only to http and https listeners, not tls");
        assertThat(ProtocolKeys.allows(ProtocolKeys.Scope.LISTENER, "http2", Protocol.HTTPS)).isTrue();
        assertThat(ProtocolKeys.allows(ProtocolKeys.Scope.LISTENER, "http2", Protocol.TCP)).isFalse();
    }

    @Test
    void aPoolsProtocolAndItsHttp2Settings() {
        assertThat(check("""
                listeners:
                  - {name: web, bind: 0.0.0.0:8080, protocol: http, routes: [{pool: app}]}
                pools:
                  app:
                    protocol: auto
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                  explicit:
                    protocol: http1
                    http2: {max_requests: 10}
                    servers: [{name: e1, address: 127.0.0.1:9002}]
                  implicit:
                    http2: {}
                    servers: [{name: i1, address: 127.0.0.1:9003}]
                  typo:
                    protocol: http3
                    http2: {max_requests: 10}
                    servers: [{name: t1, address: 127.0.0.1:9004}]
                """)).containsExactly(
                "5:15: pools.app.protocol: protocol auto lets ALPN choose between h2 and http/1.1 and needs tls; a"
                        + " plain pool speaks http1 or http2 (h2c, prior knowledge)",
                "9:5: pools.explicit.http2: http2 settings need protocol http2 or auto, not http1",
                "12:5: pools.implicit.http2: http2 settings need protocol http2 or auto (the pool's protocol is"
                        + " http1, the default)",
                "15:15: pools.typo.protocol: unknown upstream protocol 'http3'; did you mean 'http1'? (expected one"
                        + " of http1, http2, auto)");
    }
}
