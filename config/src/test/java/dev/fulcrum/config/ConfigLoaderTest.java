package dev.fulcrum.config;

import static dev.fulcrum.config.Fixtures.errors;
import static dev.fulcrum.config.Fixtures.parse;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole configuration contract, parsed into the records other modules use. */
class ConfigLoaderTest {

    @TempDir
    Path dir;

    static final String CONTRACT = """
            workers: 2
            admin: {bind: 127.0.0.1:9090, token_file: admin.token}
            certificates:
              - {name: site, cert: certs/site.crt, key: certs/site.key, passphrase_file: ha.secret, ocsp_response: ha.secret}
            listeners:
              - name: web
                bind: 0.0.0.0:8080
                protocol: http
                timeouts: {request_header: 5s, request_body: 20s, client_idle: 1m30s, client_write: 45s, tunnel_idle: 30m}
                limits: {request_line: 4KiB, header_block: 16KiB, headers: 50, request_body: 10MiB, min_body_rate: 1KiB/s}
                routes:
                  - {name: video,   match: {path_prefix: /video}, pool: video,
                     timeouts: {response: 2m, response_idle: 30s}, buffer_request: 0, limits: {request_body: unlimited}, strip_prefix: /video, request_headers: {add: {X-A: "1"}, set: {X-B: "2"}, remove: [X-C]}, response_headers: {remove: [Server]}}
                  - {name: billing, match: {host: billing.example.com}, pool: billing, limits: {request_body: 1MiB, concurrent_requests: 7}, retries: 3, rewrite_path: {regex: "^/old/(.*)", replacement: "/new/$1"}}
                  - name: api
                    match:
                      host: "*.API.example.com"
                      path: /exact
                      path_regex: ^/v[0-9]+/
                      method: [get, Post]
                      headers: {X-Tenant: blue}
                      query: {debug: "1"}
                      cookie: {session: abc}
                    pool: web
                  - {name: default, pool: web}
              - {name: web-tls, bind: 0.0.0.0:8443, protocol: https, certificates: [site], routes: [{pool: web}, {match: {path: /old}, redirect: {status: 301, scheme: https, host: example.com, port: 8443, path: /new, strip_query: true}}, {match: {path: /ping}, respond: {status: 200, body: pong, content_type: text/plain}}], forwarding: {trusted_proxies: [10.0.0.0/8, 192.0.2.1, "2001:db8::/32"], x_forwarded: true, forwarded: true, via: false}, access_log: {format: json, path: access.log}, tls: {protocols: [TLSv1.3], ciphers: [ECDHE-RSA-AES128-GCM-SHA256], client_ca: ha.secret, client_auth: optional, client_cert_header: X-Client-DN, session_ticket_rotation: 30m, session_ticket_key_file: sticky.key}, http2: {max_concurrent_streams: 250, initial_window: 128KiB, connection_window: 4MiB, max_header_list: 32KiB, max_frame: 32KiB, max_resets: 100, max_resets_sent: 50, reset_window: 1m, max_small_continuations: 8, max_empty_data: 4, max_queued_control_frames: 5000, max_control_frames: 500, flood_window: 5s, max_requests: 10000}}
              - {name: pg, bind: 0.0.0.0:15432, protocol: tcp, pool: db, proxy_protocol: v2, max_connections: 500, idle_timeout: 2h, splice: false, accept_proxy_protocol: [10.1.0.0/16], drain_timeout: 1m}
              - name: passthrough
                bind: "[::1]:9443"
                protocol: tcp
                routes:
                  - {match: {sni: "*.example.com"}, pool: web}
                  - {pool: db}
            pools:
              video:
                balance: least_conn
                sticky: {cookie: FULCRUM_VIDEO, mode: prefix, ttl: 1h, secure: true, http_only: false, same_site: none, domain: example.com, path: /v, key_file: sticky.key}
                health_check: {type: http, path: /healthz, interval: 2s, timeout: 1s, rise: 2, fall: 3, method: HEAD, host: health.local, expect_status: [200-299, 304], expect_body: ok, jitter: 250ms, initial: down}
                servers:
                  - {name: video-1, address: 127.0.0.1:9001, weight: 100}
                  - {name: video-2, address: 127.0.0.1:9002}
              billing:
                balance: consistent_hash
                hash_on: {header: X-User}
                outlier_detection: {consecutive_failures: 3, consecutive_5xx: 4, base_ejection: 10s, max_ejection: 1m, max_ejected_percent: 30}
                servers:
                  - {name: b1, address: "[2001:db8::1]:80", weight: 1000, max_connections: 50}
              web:
                health_check: {type: https, sni: web.internal}
                connect_timeout: 500ms
                idle_timeout: 4s
                max_idle: 8
                host_header: server
                tls: {ca: ha.secret, sni: web.internal, verify: false}
                protocol: auto
                http2: {max_concurrent_streams: 50, initial_window: 256KiB, connection_window: 2MiB, max_header_list: 64KiB, max_requests: 1000, ping_interval: 0, ping_timeout: 3s}
                servers: [{name: w1, address: web.internal:80, weight: 1}]
              db:
                balance: source_hash
                max_pending: 10
                queue_timeout: 750ms
                slow_start: 20s
                when_all_down: panic
                servers: [{name: d1, address: 10.0.0.5:5432}]
            ha:
              node: lb-a
              priority: 200
              bind: 10.0.0.1:7946
              peers: [10.0.0.2:7946]
              advert_interval: 100ms
              secret_file: ha.secret
              preempt: false
              preempt_delay: 2s
              dead_after: 500ms
              notify: {master: [/usr/local/bin/became, master], fault: [logger, fault]}
              track_pools: [web]
              track_command: {command: [/usr/local/bin/fit], interval: 1s, timeout: 500ms, fall: 2, rise: 3}
              vip_command: {acquire: [/usr/local/bin/move-ip, here]}
              listeners_follow_state: true
              vip: [{address: 10.0.0.100/24, interface: eth0}, {address: "2001:db8::100/64", interface: eth1}]
            """;

    @Test
    void parsesTheWholeContract() {
        FulcrumConfig c = parse(CONTRACT, Fixtures.files(dir));

        assertThat(c.source()).isEqualTo("test.yaml");
        assertThat(c.workers()).contains(2);
        assertThat(c.admin()).isEqualTo(new AdminConfig(new Endpoint("127.0.0.1", 9090),
                Optional.of(dir.resolve("admin.token"))));
        assertThat(c.certificates()).containsExactly(new CertificateConfig("site", dir.resolve("certs/site.crt"),
                dir.resolve("certs/site.key"), new Location("test.yaml", 4, 5), Optional.of(dir.resolve("ha.secret")),
                Optional.of(dir.resolve("ha.secret"))));
        assertThat(c.listener("web-tls").orElseThrow().tls()).isEqualTo(new ListenerTls(List.of("TLSv1.3"),
                List.of("ECDHE-RSA-AES128-GCM-SHA256"), Optional.of(dir.resolve("ha.secret")),
                ListenerTls.ClientAuth.OPTIONAL, "x-client-dn", Duration.ofMinutes(30),
                Optional.of(dir.resolve("sticky.key"))));
        assertThat(c.pool("web").orElseThrow().upstream().tls()).contains(new UpstreamTls(
                Optional.of(dir.resolve("ha.secret")), Optional.of("web.internal"), false));

        assertThat(c.listeners()).extracting(ListenerConfig::name).containsExactly("web", "web-tls", "pg", "passthrough");
        ListenerConfig web = c.listener("web").orElseThrow();
        assertThat(web.bind()).isEqualTo(new Endpoint("0.0.0.0", 8080));
        assertThat(web.protocol()).isEqualTo(Protocol.HTTP);
        assertThat(web.pool()).isEmpty();
        assertThat(web.forwarding()).isEqualTo(ForwardingConfig.DEFAULTS);
        assertThat(web.accessLog()).isEmpty();
        assertThat(web.routes().get(0).actions()).isEqualTo(new RouteActions(Optional.of("/video"), Optional.empty(),
                new HeaderActions(Map.of("x-a", "1"), Map.of("x-b", "2"), List.of("x-c")),
                new HeaderActions(Map.of(), Map.of(), List.of("server"))));
        assertThat(web.routes().get(1).actions().rewritePath())
                .contains(new RouteActions.PathRewrite("^/old/(.*)", "/new/$1"));
        assertThat(web.routes().get(2).actions()).isEqualTo(RouteActions.NONE);
        assertThat(web.routes().get(1).policy().retries()).isEqualTo(3);
        assertThat(web.routes().get(0).policy().retries()).isEqualTo(RoutePolicy.DEFAULT_RETRIES);
        assertThat(c.listener("web-tls").orElseThrow().accessLog()).contains(new AccessLogConfig(
                AccessLogConfig.Format.JSON, Optional.of(dir.resolve("access.log").toAbsolutePath().normalize())));
        assertThat(c.listener("web-tls").orElseThrow().forwarding()).isEqualTo(new ForwardingConfig(List.of(
                new Subnet("10.0.0.0", 8), new Subnet("192.0.2.1", 32), new Subnet("2001:db8::", 32)), true, true, false));
        assertThat(web.proxyProtocol()).isEqualTo(ProxyProtocol.NONE);
        assertThat(web.location()).isEqualTo(new Location("test.yaml", 6, 5));
        assertThat(web.routes()).extracting(RouteConfig::name).containsExactly("video", "billing", "api", "default");
        assertThat(web.routes()).extracting(RouteConfig::pool).containsExactly(Optional.of("video"), Optional.of("billing"),
                Optional.of("web"), Optional.of("web"));
        assertThat(web.routes().get(0).match().pathPrefix()).contains("/video");
        assertThat(web.routes().get(0).location()).isEqualTo(new Location("test.yaml", 12, 9));
        assertThat(web.routes().get(1).match().host()).contains("billing.example.com");
        assertThat(web.routes().get(2).match()).isEqualTo(new MatchConfig(Optional.of("*.api.example.com"),
                Optional.of("/exact"), Optional.empty(), Optional.of("^/v[0-9]+/"), List.of("GET", "POST"),
                Map.of("x-tenant", "blue"), Map.of("debug", "1"), Map.of("session", "abc"), Optional.empty()));
        assertThat(web.routes().get(3).match()).isEqualTo(MatchConfig.ANY);
        assertThat(web.routes().get(3).match().isAny()).isTrue();
        assertThat(web.edge()).isEqualTo(new HttpEdgeConfig(
                new ListenerTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(20), Duration.ofSeconds(90),
                        Duration.ofSeconds(45), Duration.ofMinutes(30)),
                new ListenerLimits(4096, 16384, 50, 10L << 20, 1024)));
        assertThat(web.routes()).extracting(RouteConfig::policy).containsExactly(
                new RoutePolicy(Duration.ofMinutes(2), Optional.of(ListenerLimits.UNLIMITED), RoutePolicy.DEFAULT_RETRIES,
                        0, Duration.ofSeconds(30), 0),
                new RoutePolicy(RoutePolicy.DEFAULT_RESPONSE_TIMEOUT, Optional.of(1L << 20), 3, 7),
                RoutePolicy.DEFAULTS, RoutePolicy.DEFAULTS);
        assertThat(web.routes().get(0).policy().requestBodyLimit(web.edge().limits())).isEqualTo(Long.MAX_VALUE);
        assertThat(web.routes().get(2).policy().requestBodyLimit(web.edge().limits())).isEqualTo(10L << 20);

        ListenerConfig tls = c.listener("web-tls").orElseThrow();
        assertThat(tls.protocol()).isEqualTo(Protocol.HTTPS);
        assertThat(tls.edge().http2()).isEqualTo(new Http2Config(true, 250, 128 << 10, 4 << 20, 32 << 10, 32 << 10,
                100, 50, Duration.ofMinutes(1), 8, 4, 5000, 500, Duration.ofSeconds(5), 10000));
        assertThat(web.edge().http2()).isEqualTo(Http2Config.DEFAULTS);
        assertThat(tls.certificates()).containsExactly("site");
        assertThat(tls.routes()).hasSize(3).first().satisfies(r -> {
            assertThat(r.name()).isEqualTo("route-1");
            assertThat(r.pool()).contains("web");
            assertThat(r.reply()).isEmpty();
            assertThat(r.match()).isEqualTo(MatchConfig.ANY);
        });
        assertThat(tls.routes().get(1).pool()).isEmpty();
        assertThat(tls.routes().get(1).reply()).contains(new LocalReply.Redirect(301, Optional.of("https"),
                Optional.of("example.com"), Optional.of(8443), Optional.of("/new"), true));
        assertThat(tls.routes().get(2).reply()).contains(new LocalReply.Respond(200, "pong", "text/plain"));
        assertThat(tls.routes().get(2).target()).isEqualTo("respond 200");

        ListenerConfig pg = c.listener("pg").orElseThrow();
        assertThat(pg.protocol()).isEqualTo(Protocol.TCP);
        assertThat(pg.pool()).contains("db");
        assertThat(pg.routes()).isEmpty();
        assertThat(pg.proxyProtocol()).isEqualTo(ProxyProtocol.V2);
        assertThat(pg.maxConnections()).isEqualTo(500);
        assertThat(pg.tcp()).isEqualTo(new TcpOptions(Duration.ofHours(2), false,
                List.of(new Subnet("10.1.0.0", 16)), Duration.ofMinutes(1)));
        assertThat(c.pool("db").orElseThrow().upstream().maxPending()).isEqualTo(10);
        assertThat(c.pool("db").orElseThrow().upstream().queueTimeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(web.maxConnections()).isZero();
        PoolConfig db = c.pool("db").orElseThrow();
        assertThat(db.failure()).isEqualTo(new FailurePolicy(Duration.ofSeconds(20), true, OutlierDetection.DEFAULTS));
        assertThat(c.pool("billing").orElseThrow().failure()).isEqualTo(new FailurePolicy(Duration.ZERO, false,
                new OutlierDetection(3, 4, Duration.ofSeconds(10), Duration.ofMinutes(1), 30)));
        assertThat(c.pool("video").orElseThrow().healthCheck()).contains(new HealthCheckConfig(HealthCheckType.HTTP,
                "/healthz", Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3, "HEAD", Optional.of("health.local"),
                List.of(new StatusRange(200, 299), new StatusRange(304, 304)), Optional.of("ok"),
                Duration.ofMillis(250), false, Optional.empty()));
        HealthCheckConfig tlsCheck = c.pool("web").orElseThrow().healthCheck().orElseThrow();
        assertThat(tlsCheck.type()).isEqualTo(HealthCheckType.HTTPS);
        assertThat(tlsCheck.sni()).contains("web.internal");
        assertThat(tlsCheck.expectStatus()).containsExactly(StatusRange.SUCCESS_OR_REDIRECT);
        assertThat(tlsCheck.initialUp()).isTrue();
        assertThat(web.tcp()).isEqualTo(TcpOptions.DEFAULTS);

        ListenerConfig pass = c.listener("passthrough").orElseThrow();
        assertThat(pass.bind()).isEqualTo(new Endpoint("::1", 9443));
        assertThat(pass.bind().toString()).isEqualTo("[::1]:9443");
        assertThat(pass.routes()).extracting(RouteConfig::name).containsExactly("route-1", "route-2");
        assertThat(pass.routes().get(0).match().sni()).contains("*.example.com");

        assertThat(c.pools().keySet()).containsExactly("video", "billing", "web", "db");
        PoolConfig video = c.pool("video").orElseThrow();
        assertThat(video.balance()).isEqualTo(Balance.LEAST_CONN);
        assertThat(video.sticky()).contains(new StickyConfig("FULCRUM_VIDEO", StickyConfig.Mode.PREFIX,
                Optional.of(Duration.ofHours(1)), true, false, Optional.of(StickyConfig.SameSite.NONE),
                Optional.of("example.com"), "/v", Optional.of(dir.resolve("sticky.key"))));
        assertThat(video.location()).isEqualTo(new Location("test.yaml", 35, 3));
        assertThat(video.servers()).containsExactly(
                new ServerConfig("video-1", new Endpoint("127.0.0.1", 9001), 100, 0, new Location("test.yaml", 40, 9)),
                new ServerConfig("video-2", new Endpoint("127.0.0.1", 9002), 100, 0, new Location("test.yaml", 41, 9)));
        PoolConfig billing = c.pool("billing").orElseThrow();
        assertThat(billing.balance()).isEqualTo(Balance.CONSISTENT_HASH);
        assertThat(billing.hashOn()).isEqualTo(new HashOn.Header("x-user"));
        assertThat(billing.sticky()).isEmpty();
        assertThat(billing.healthCheck()).isEmpty();
        assertThat(billing.servers().get(0).address()).isEqualTo(new Endpoint("2001:db8::1", 80));
        assertThat(billing.servers().get(0).weight()).isEqualTo(1000);
        assertThat(billing.servers().get(0).maxConnections()).isEqualTo(50);
        PoolConfig webPool = c.pool("web").orElseThrow();
        assertThat(webPool.balance()).isEqualTo(Balance.ROUND_ROBIN);
        assertThat(webPool.healthCheck()).contains(new HealthCheckConfig(HealthCheckType.HTTPS,
                HealthCheckConfig.DEFAULT_PATH, HealthCheckConfig.DEFAULT_INTERVAL, HealthCheckConfig.DEFAULT_TIMEOUT,
                HealthCheckConfig.DEFAULT_RISE, HealthCheckConfig.DEFAULT_FALL, HealthCheckConfig.DEFAULT_METHOD,
                Optional.empty(), HealthCheckConfig.DEFAULT_EXPECT_STATUS, Optional.empty(), Duration.ZERO, true,
                Optional.of("web.internal")));
        assertThat(webPool.servers().get(0).address()).isEqualTo(new Endpoint("web.internal", 80));
        assertThat(webPool.servers().get(0).weight()).isEqualTo(1);
        assertThat(webPool.upstream()).isEqualTo(new UpstreamConfig(Duration.ofMillis(500), Duration.ofSeconds(4), 8,
                Optional.of(UpstreamConfig.HOST_SERVER), UpstreamConfig.DEFAULT_MAX_PENDING,
                UpstreamConfig.DEFAULT_QUEUE_TIMEOUT, Optional.of(new UpstreamTls(Optional.of(dir.resolve("ha.secret")),
                        Optional.of("web.internal"), false)), UpstreamProtocol.AUTO,
                new UpstreamHttp2Config(50, 256 << 10, 2 << 20, 64 << 10, 1000, Duration.ZERO, Duration.ofSeconds(3))));
        assertThat(video.upstream()).isEqualTo(UpstreamConfig.DEFAULTS);
        assertThat(video.upstream().protocol()).isEqualTo(UpstreamProtocol.HTTP1);
        assertThat(video.upstream().http2()).isEqualTo(UpstreamHttp2Config.DEFAULTS);
        assertThat(c.pool("db").orElseThrow().balance()).isEqualTo(Balance.SOURCE_HASH);
        assertThat(c.pool("db").orElseThrow().hashOn()).isEqualTo(HashOn.SOURCE);
        assertThat(video.hashOn()).isEqualTo(HashOn.SOURCE);

        HaConfig ha = c.ha().orElseThrow();
        assertThat(ha).isEqualTo(new HaConfig("lb-a", 200, new Endpoint("10.0.0.1", 7946),
                List.of(new Endpoint("10.0.0.2", 7946)), Duration.ofMillis(100), dir.resolve("ha.secret"),
                List.of(new VipConfig("10.0.0.100", 24, "eth0"), new VipConfig("2001:db8::100", 64, "eth1")),
                false, Duration.ofSeconds(2), Duration.ofMillis(500),
                Map.of("master", List.of("/usr/local/bin/became", "master"), "fault", List.of("logger", "fault")),
                List.of("web"),
                Optional.of(new TrackCommand(List.of("/usr/local/bin/fit"), Duration.ofSeconds(1),
                        Duration.ofMillis(500), 2, 3)),
                Optional.of(new VipCommand(List.of("/usr/local/bin/move-ip", "here"), List.of())), true));
    }

    @Test
    void appliesDefaults() {
        FulcrumConfig c = parse("""
                listeners:
                  - {name: web, bind: 0.0.0.0:0, protocol: http, routes: [{pool: app}]}
                pools:
                  app:
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                """, dir);
        assertThat(c.workers()).isEmpty();
        assertThat(c.admin()).isEqualTo(AdminConfig.defaults());
        assertThat(c.certificates()).isEmpty();
        assertThat(c.ha()).isEmpty();
        assertThat(c.listeners().get(0).bind().port()).isZero();
        assertThat(c.listeners().get(0).edge()).isEqualTo(HttpEdgeConfig.DEFAULTS);
        assertThat(c.listeners().get(0).edge().limits().requestBody()).isEqualTo(100L << 20);
        assertThat(c.listeners().get(0).routes().get(0).policy()).isEqualTo(RoutePolicy.DEFAULTS);
        assertThat(c.pool("app").orElseThrow().upstream()).isEqualTo(new UpstreamConfig(Duration.ofSeconds(2),
                Duration.ofSeconds(50), 64));
        ServerConfig s = c.pool("app").orElseThrow().servers().get(0);
        assertThat(s.weight()).isEqualTo(ServerConfig.DEFAULT_WEIGHT);
        assertThat(s.maxConnections()).isZero();
        HaConfig ha = parse("""
                listeners:
                  - {name: web, bind: 0.0.0.0:8080, protocol: http, routes: [{pool: app}]}
                pools:
                  app:
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                ha: {node: lb-b, bind: 10.0.0.2:7946, peers: [10.0.0.1:7946], secret_file: ha.secret}
                """, Fixtures.files(dir)).ha().orElseThrow();
        assertThat(ha.priority()).isEqualTo(100);
        assertThat(ha.advertInterval()).isEqualTo(HaConfig.DEFAULT_ADVERT_INTERVAL);
        assertThat(ha.vips()).isEmpty();
    }

    @Test
    void anchorsAndAliasesWork() {
        FulcrumConfig c = parse("""
                listeners:
                  - {name: a, bind: 0.0.0.0:8080, protocol: http, routes: &routes [{pool: app}]}
                  - {name: b, bind: 0.0.0.0:8081, protocol: http, routes: *routes}
                pools:
                  app:
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                """, dir);
        assertThat(c.listeners()).allSatisfy(l -> assertThat(l.routes()).extracting(RouteConfig::pool)
                .containsExactly(Optional.of("app")));
    }

    @Test
    void errorsPrintAsFileLineColumnPathMessage() {
        List<String> errors = errors("""
                listeners:
                  - {name: web, bind: 0.0.0.0:8080, protocol: http, routes: [{pool: ap}]}
                pools:
                  app:
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                """, dir);
        assertThat(errors).containsExactly("2:69: listeners[0].routes[0].pool: unknown pool 'ap'; did you mean 'app'?");
    }
}
