package dev.fulcrum.config;

import static dev.fulcrum.config.Fixtures.errors;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every validation rule, with the exact position of its error. Errors print as LINE:COL: path: message. */
class ValidationTest {

    @TempDir
    Path dir;

    /** One valid pool named app; appended to documents that are about something else. */
    static final String POOLS = """
            pools:
              app:
                servers: [{name: a1, address: 127.0.0.1:9001}]
            """;

    @BeforeEach
    void files() {
        Fixtures.files(dir);
    }

    private List<String> check(String yaml) {
        return errors(yaml, dir);
    }

    // ---- unknown keys ----------------------------------------------------------------------------

    @Test
    void unknownKeysAtEveryLevelWithDidYouMean() {
        assertThat(check("""
                worker: 2
                admin:
                  bnd: 127.0.0.1:9090
                certificates:
                  - {name: site, cert: certs/site.crt, key: certs/site.key, chain: x}
                listeners:
                  - name: web
                    bind: 0.0.0.0:8080
                    protocol: http
                    route: []
                    routes:
                      - name: r
                        match: {pathprefix: /v, Host: a.com}
                        pol: app
                pools:
                  app:
                    balanse: random
                    stiky: {cookie: C}
                    sticky: {cokie: C}
                    health_check: {intervall: 1s}
                    servers:
                      - {name: a1, adress: 127.0.0.1:9001, wieght: 5, max-connections: 3}
                ha:
                  nodes: a
                  vip: [{address: 10.0.0.1/24, iface: eth0}]
                """)).containsExactly(
                "1:1: worker: unknown key 'worker' in fulcrum; did you mean 'workers'?",
                "3:3: admin.bnd: unknown key 'bnd' in admin; did you mean 'bind'?",
                "5:61: certificates[0].chain: unknown key 'chain' in certificate; expected one of: name, cert, key,"
                        + " passphrase_file, ocsp_response",
                "10:5: listeners[0].route: unknown key 'route' in listener; did you mean 'routes'?",
                "12:9: listeners[0].routes[0]: missing required key 'pool'",
                "13:17: listeners[0].routes[0].match.pathprefix: unknown key 'pathprefix' in match;"
                        + " did you mean 'path_prefix'?",
                "13:33: listeners[0].routes[0].match.Host: unknown key 'Host' in match; did you mean 'host'?",
                "14:9: listeners[0].routes[0].pol: unknown key 'pol' in route; did you mean 'pool'?",
                "17:5: pools.app.balanse: unknown key 'balanse' in pool; did you mean 'balance'?",
                "18:5: pools.app.stiky: unknown key 'stiky' in pool; did you mean 'sticky'?",
                "19:13: pools.app.sticky: missing required key 'cookie'",
                "19:14: pools.app.sticky.cokie: unknown key 'cokie' in sticky; did you mean 'cookie'?",
                "20:20: pools.app.health_check.intervall: unknown key 'intervall' in health_check;"
                        + " did you mean 'interval'?",
                "22:9: pools.app.servers[0]: missing required key 'address'",
                "22:20: pools.app.servers[0].adress: unknown key 'adress' in server; did you mean 'address'?",
                "22:44: pools.app.servers[0].wieght: unknown key 'wieght' in server; did you mean 'weight'?",
                "22:55: pools.app.servers[0].max-connections: unknown key 'max-connections' in server;"
                        + " did you mean 'max_connections'?",
                "24:3: ha: missing required key 'node'",
                "24:3: ha: missing required key 'bind'",
                "24:3: ha: missing required key 'peers'",
                "24:3: ha: missing required key 'secret_file'",
                "24:3: ha.nodes: unknown key 'nodes' in ha; did you mean 'node'?",
                "25:9: ha.vip[0]: missing required key 'interface'",
                "25:32: ha.vip[0].iface: unknown key 'iface' in vip; expected one of: address, interface");
    }

    @Test
    void unknownKeyFarFromAnyListsTheKnownKeys() {
        assertThat(check("""
                listeners:
                  - {name: web, bind: 0.0.0.0:8080, protocol: http, routes: [{pool: app}], flavour: 3s}
                """ + POOLS)).containsExactly("2:76: listeners[0].flavour: unknown key 'flavour' in"
                + " listener; expected one of: name, bind, protocol, certificates, pool, proxy_protocol, routes,"
                + " forwarding, access_log, timeouts, limits, http2, max_connections, idle_timeout, splice,"
                + " accept_proxy_protocol, drain_timeout, tls");
    }

    @Test
    void healthCheckKeysMatchTheirCheckType() {
        assertThat(check("""
                listeners:
                  - {name: web, bind: 0.0.0.0:8080, protocol: http, routes: [{pool: app}]}
                pools:
                  app:
                    health_check: {type: tcp, expect_status: 200, sni: a.example}
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                  api:
                    health_check: {type: http, expect_status: [200-199, "2xx"], initial: maybe}
                    outlier_detection: {base_ejection: 1m, max_ejection: 10s, max_ejected_percent: 101}
                    when_all_down: panik
                    servers: [{name: b1, address: 127.0.0.1:9002}]
                """)).containsExactly(
                "5:31: pools.app.health_check.expect_status: 'expect_status' applies only to health checks of type"
                        + " http or https, not tcp",
                "5:51: pools.app.health_check.sni: 'sni' applies only to health checks of type tls, https or grpc, not"
                        + " tcp",
                "8:48: pools.api.health_check.expect_status[0]: '200-199' is not a status range within 100-599",
                "8:57: pools.api.health_check.expect_status[1]: expected a status code like 200 or a range like"
                        + " 200-399, got '2xx'",
                "8:74: pools.api.health_check.initial: unknown initial state 'maybe' (expected one of up, down)",
                "9:58: pools.api.outlier_detection.max_ejection: max_ejection 10s must not be shorter than"
                        + " base_ejection 1m",
                "9:84: pools.api.outlier_detection.max_ejected_percent: 101 is out of range; expected an integer"
                        + " between 0 and 100",
                "10:20: pools.api.when_all_down: unknown when_all_down 'panik'; did you mean 'panic'? (expected one"
                        + " of fail, panic)");
    }

    @Test
    void stickySettingsAreChecked() throws Exception {
        java.nio.file.Files.writeString(dir.resolve("short.key"), "too short\n");
        assertThat(check("""
                listeners:
                  - {name: web, bind: 0.0.0.0:8080, protocol: http, routes: [{pool: app}]}
                pools:
                  app:
                    sticky: {cookie: SID, mode: rewrite, same_site: none, key_file: short.key}
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                """)).containsExactly(
                "5:33: pools.app.sticky.mode: unknown sticky mode 'rewrite' (expected one of insert, prefix)",
                "5:42: pools.app.sticky.same_site: same_site: none needs secure: true (browsers refuse it otherwise)",
                "5:69: pools.app.sticky.key_file: sticky key file '" + dir.resolve("short.key") + "' holds 9"
                        + " characters; a key needs at least 16 (e.g. 32 random bytes, base64)");
    }

    @Test
    void relaySettingsBelongToTcpListeners() {
        assertThat(check("""
                listeners:
                  - {name: web, bind: 0.0.0.0:8080, protocol: http, routes: [{pool: app}], splice: false,
                     accept_proxy_protocol: [10.0.0.1], max_connections: 10}
                  - {name: db, bind: 0.0.0.0:5432, protocol: tcp, pool: app, idle_timeout: 0s,
                     accept_proxy_protocol: [300.1.1.1], max_connections: -1}
                """ + POOLS)).containsExactly(
                "2:76: listeners[0].splice: 'splice' applies only to tcp and tls listeners, not http",
                "3:6: listeners[0].accept_proxy_protocol: 'accept_proxy_protocol' applies only to tcp and tls listeners, not http",
                "4:76: listeners[1].idle_timeout: expected a duration greater than 0, e.g. 250ms or 2s",
                "5:30: listeners[1].accept_proxy_protocol[0]: '300.1.1.1' is not an IP address; expected an address"
                        + " or a network like 10.0.0.0/8 or 2001:db8::/32",
                "5:59: listeners[1].max_connections: -1 is out of range; expected an integer >= 0");
    }

    @Test
    void forwardingNeedsIpNetworksBooleansAndAnHttpListener() {
        assertThat(check("""
                listeners:
                  - name: web
                    bind: 0.0.0.0:8080
                    protocol: http
                    routes: [{pool: app}]
                    forwarding:
                      trusted_proxies: [10.0.0.0/33, cdn.example.com, "::/0"]
                      via: maybe
                  - {name: db, bind: 0.0.0.0:5432, protocol: tcp, pool: app, forwarding: {via: false}}
                """ + POOLS)).containsExactly(
                "7:25: listeners[0].forwarding.trusted_proxies[0]: invalid prefix length '33' in '10.0.0.0/33';"
                        + " expected 0..32",
                "7:38: listeners[0].forwarding.trusted_proxies[1]: 'cdn.example.com' is not an IP address; expected"
                        + " an address or a network like 10.0.0.0/8 or 2001:db8::/32",
                "8:12: listeners[0].forwarding.via: expected true or false, got 'maybe'",
                "9:62: listeners[1].forwarding: 'forwarding' applies only to http and https listeners, not tcp"
                        + " (a tcp listener passes bytes through; use proxy_protocol to tell backends the client address)");
    }

    @Test
    void accessLogNeedsAKnownFormatAWritableDirectoryAndAnHttpListener() {
        assertThat(check("""
                listeners:
                  - {name: a, bind: 0.0.0.0:8080, protocol: http, routes: [{pool: app}], access_log: {format: clf}}
                  - {name: b, bind: 0.0.0.0:8081, protocol: http, routes: [{pool: app}], access_log: {path: no/such/dir/x.log}}
                  - {name: c, bind: 0.0.0.0:8082, protocol: http, routes: [{pool: app}], access_log: {path: stdout}}
                  - {name: d, bind: 0.0.0.0:5432, protocol: tcp, pool: app, access_log: {}}
                """ + POOLS)).satisfiesExactly(
                e -> assertThat(e).startsWith("2:95: listeners[0].access_log.format: unknown access log format 'clf'"),
                e -> assertThat(e).startsWith("3:93: listeners[1].access_log.path: the directory of access log"
                        + " 'no/such/dir/x.log' does not exist"),
                e -> assertThat(e).isEqualTo("5:61: listeners[3].access_log: 'access_log' applies only to http and"
                        + " https listeners, not tcp (for now)"));
    }

    @Test
    void aRouteHasExactlyOneTargetAndRepliesOnlyOnHttp() {
        assertThat(check("""
                listeners:
                  - name: web
                    bind: 0.0.0.0:8080
                    protocol: http
                    routes:
                      - {pool: app, respond: {status: 200}}
                      - {redirect: {status: 200, scheme: ftp}}
                  - {name: db, bind: 0.0.0.0:5432, protocol: tcp, routes: [{respond: {}}]}
                """ + POOLS)).satisfiesExactly(
                e -> assertThat(e).isEqualTo("6:9: listeners[0].routes[0]: a route has exactly one of 'pool',"
                        + " 'redirect' and 'respond'"),
                e -> assertThat(e).startsWith("7:29: listeners[0].routes[1].redirect.status: 200 is not allowed"),
                e -> assertThat(e).startsWith("7:42: listeners[0].routes[1].redirect.scheme: unknown scheme 'ftp'"),
                e -> assertThat(e).isEqualTo("8:61: listeners[1].routes[0].respond: 'respond' on a route applies only to"
                        + " http and https listeners, not tcp"));
    }

    @Test
    void retriesAreABoundedCountOnHttpRoutesOnly() {
        assertThat(check("""
                listeners:
                  - {name: web, bind: 0.0.0.0:8080, protocol: http, routes: [{pool: app, retries: 11}]}
                  - {name: db, bind: 0.0.0.0:5432, protocol: tcp, routes: [{pool: app, retries: 1}]}
                """ + POOLS)).satisfiesExactly(
                e -> assertThat(e).isEqualTo("2:83: listeners[0].routes[0].retries: 11 is out of range; expected an"
                        + " integer between 0 and 10"),
                e -> assertThat(e).isEqualTo("3:72: listeners[1].routes[0].retries: 'retries' on a route applies only"
                        + " to http and https listeners, not tcp"));
    }

    @Test
    void routeActionsAreCheckedWherever() {
        assertThat(check("""
                listeners:
                  - name: web
                    bind: 0.0.0.0:8080
                    protocol: http
                    routes:
                      - {pool: app, strip_prefix: api, rewrite_path: {regex: "(", replacement: /x}}
                      - {pool: app, request_headers: {set: {X-Evil: "a\\r\\nInjected: 1"}, remove: ["bad name"]}}
                  - {name: db, bind: 0.0.0.0:5432, protocol: tcp, routes: [{pool: app, strip_prefix: /x}]}
                """ + POOLS)).satisfiesExactly(
                e -> assertThat(e).isEqualTo("6:35: listeners[0].routes[0].strip_prefix: strip_prefix 'api' must start"
                        + " with '/'"),
                e -> assertThat(e).startsWith("6:40: listeners[0].routes[0].rewrite_path: use either strip_prefix"),
                e -> assertThat(e).startsWith("6:62: listeners[0].routes[0].rewrite_path.regex: invalid regular"),
                e -> assertThat(e).startsWith("7:53: listeners[0].routes[1].request_headers.set.X-Evil: header value"
                        + " contains control character 0xd"),
                e -> assertThat(e).startsWith("7:83: listeners[0].routes[1].request_headers.remove[0]: invalid header name"),
                e -> assertThat(e).isEqualTo("8:72: listeners[1].routes[0].strip_prefix: 'strip_prefix' on a route applies"
                        + " only to http and https listeners, not tcp"));
    }

    @Test
    void routeHeaderEditsCannotTouchFramingHeaders() {
        assertThat(check("""
                listeners:
                  - name: web
                    bind: 0.0.0.0:8080
                    protocol: http
                    routes:
                      - pool: app
                        request_headers: {set: {Content-Length: "0"}, add: {transfer-encoding: chunked}, remove: [CONNECTION]}
                        response_headers: {set: {X-Ok: "1", Keep-Alive: "timeout=5"}, remove: [TE, Trailer, Upgrade, Proxy-Connection]}
                """ + POOLS)).containsExactly(
                "7:33: listeners[0].routes[0].request_headers.set.Content-Length: 'Content-Length' frames the message"
                        + " and is managed by the proxy; a route cannot remove, set or add it",
                "7:61: listeners[0].routes[0].request_headers.add.transfer-encoding: 'transfer-encoding' frames the"
                        + " message and is managed by the proxy; a route cannot remove, set or add it",
                "7:99: listeners[0].routes[0].request_headers.remove[0]: 'CONNECTION' frames the message and is"
                        + " managed by the proxy; a route cannot remove, set or add it",
                "8:45: listeners[0].routes[0].response_headers.set.Keep-Alive: 'Keep-Alive' frames the message and"
                        + " is managed by the proxy; a route cannot remove, set or add it",
                "8:80: listeners[0].routes[0].response_headers.remove[0]: 'TE' frames the message and is managed by"
                        + " the proxy; a route cannot remove, set or add it",
                "8:84: listeners[0].routes[0].response_headers.remove[1]: 'Trailer' frames the message and is"
                        + " managed by the proxy; a route cannot remove, set or add it",
                "8:93: listeners[0].routes[0].response_headers.remove[2]: 'Upgrade' frames the message and is"
                        + " managed by the proxy; a route cannot remove, set or add it",
                "8:102: listeners[0].routes[0].response_headers.remove[3]: 'Proxy-Connection' frames the message and"
                        + " is managed by the proxy; a route cannot remove, set or add it");
    }

    // ---- types and required keys -----------------------------------------------------------------

    @Test
    void wrongTypes() {
        assertThat(check("""
                workers: two
                admin: [127.0.0.1:9090]
                listeners:
                  - web
                  - name: [a]
                    bind: 0.0.0.0:8081
                    protocol: http
                    routes: {pool: app}
                pools:
                  - app
                """)).containsExactly(
                "1:10: workers: expected an integer between 1 and 4096, got 'two'",
                "2:8: admin: expected a mapping (admin), got a list",
                "4:5: listeners[0]: expected a mapping (listener), got 'web'",
                "5:11: listeners[1].name: expected a listener name, got a list",
                "8:13: listeners[1].routes: expected a list of routes, got a mapping",
                "10:3: pools: expected a mapping of pool names to pools, got a list");
    }

    @Test
    void emptyValuesAndQuotedNumbers() {
        assertThat(check("""
                workers: "2"
                listeners:
                  - name:
                    bind: 0.0.0.0:8080
                    protocol: http
                    routes:
                      - match:
                        pool: app
                """ + POOLS)).containsExactly(
                "1:10: workers: expected an integer between 1 and 4096, got '2'",
                "3:10: listeners[0].name: expected a listener name, got an empty value",
                "7:15: listeners[0].routes[0].match: expected a mapping (match), got an empty value");
    }

    @Test
    void missingRequiredKeys() {
        assertThat(check("""
                certificates:
                  - {cert: certs/site.crt}
                listeners:
                  - {bind: 0.0.0.0:8080}
                  - {name: b, protocol: http, routes: [{name: x}]}
                pools:
                  app:
                    servers: [{weight: 3}]
                  other: {}
                """)).containsExactly(
                "2:5: certificates[0]: missing required key 'name'",
                "2:5: certificates[0]: missing required key 'key'",
                "4:5: listeners[0]: missing required key 'name'",
                "4:5: listeners[0]: missing required key 'protocol'",
                "5:5: listeners[1]: missing required key 'bind'",
                "5:40: listeners[1].routes[0]: missing required key 'pool'",
                "8:15: pools.app.servers[0]: missing required key 'name'",
                "8:15: pools.app.servers[0]: missing required key 'address'",
                "9:10: pools.other: missing required key 'servers'");
        assertThat(check(POOLS)).containsExactly("1:1: missing required key 'listeners'");
        assertThat(check("listeners: []\n" + POOLS)).containsExactly("1:12: listeners: expected at least one listener");
    }

    @Test
    void emptyOrNonMappingDocuments() {
        assertThat(check("")).containsExactly(
                "1:1: the configuration is empty; expected a mapping with at least 'listeners' and 'pools'");
        assertThat(check("# only a comment\n")).hasSize(1);
        assertThat(check("- a\n- b\n")).containsExactly(
                "1:1: expected a mapping with at least 'listeners', got a list");
    }

    // ---- durations, addresses, ports -------------------------------------------------------------

    @Test
    void badDurations() {
        assertThat(check("""
                listeners:
                  - {name: web, bind: 0.0.0.0:8080, protocol: http, routes: [{pool: app}]}
                pools:
                  app:
                    health_check:
                      interval: 2
                      timeout: -1s
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                  b:
                    health_check: {interval: 1.5s, timeout: 0}
                    servers: [{name: b1, address: 127.0.0.1:9001}]
                  c:
                    health_check: {interval: 99999999999999999h, timeout: 10sec}
                    servers: [{name: c1, address: 127.0.0.1:9001}]
                """)).containsExactly(
                "6:17: pools.app.health_check.interval: duration '2' has no unit; write e.g. 2ms or 2s",
                "7:16: pools.app.health_check.timeout: negative duration '-1s'; durations are >= 0",
                "10:30: pools.b.health_check.interval: fractional duration '1.5s'; use a smaller unit instead,"
                        + " e.g. 1500ms rather than 1.5s",
                "10:45: pools.b.health_check.timeout: expected a duration greater than 0, e.g. 250ms or 2s",
                "13:30: pools.c.health_check.interval: duration '99999999999999999h' is too large",
                "13:59: pools.c.health_check.timeout: unknown unit 'sec' in duration '10sec'; expected ms, s, m or h");
    }

    @Test
    void badAddressesAndPorts() {
        assertThat(check("""
                admin: {bind: "localhost:99999"}
                listeners:
                  - {name: a, bind: 0.0.0.0:0, protocol: http, routes: [{pool: app}]}
                  - {name: b, bind: "::1:8080", protocol: http, routes: [{pool: app}]}
                  - {name: c, bind: 8080, protocol: http, routes: [{pool: app}]}
                  - {name: d, bind: "[fe80::zz]:80", protocol: http, routes: [{pool: app}]}
                pools:
                  app:
                    servers:
                      - {name: s0, address: 127.0.0.1:0}
                      - {name: s1, address: 300.1.1.1:80}
                      - {name: s2, address: bad_host.example:80}
                      - {name: s3, address: "[::1]:80"}
                      - {name: s4, address: db.internal}
                """)).containsExactly(
                "1:15: admin.bind: port 99999 in 'localhost:99999' is out of range;"
                        + " expected 0..65535 (0 = any free port)",
                "4:21: listeners[1].bind: IPv6 addresses need brackets: write [::1]:8080"
                        + " (expected host:port or [ipv6]:port)",
                "5:21: listeners[2].bind: address '8080' has no port; expected host:port",
                "6:21: listeners[3].bind: 'fe80::zz' in '[fe80::zz]:80' is not a valid IPv6 address",
                "10:29: pools.app.servers[0].address: port 0 in '127.0.0.1:0' is out of range; expected 1..65535",
                "11:29: pools.app.servers[1].address: '300.1.1.1' is not a valid IPv4 address (four parts 0..255)",
                "12:29: pools.app.servers[2].address: 'bad_host.example' is not a valid host name (letters, digits,"
                        + " '-' and '.'; labels of 1..63 characters not starting or ending with '-')",
                "14:29: pools.app.servers[4].address: address 'db.internal' has no port; expected host:port");
    }

    // ---- enums -------------------------------------------------------------------------------------

    @Test
    void enumsListAllowedValuesAndSuggest() {
        assertThat(check("""
                listeners:
                  - {name: a, bind: 0.0.0.0:8080, protocol: HTTP, routes: [{pool: app}]}
                  - {name: b, bind: 0.0.0.0:8081, protocol: tcp, pool: app, proxy_protocol: v3}
                  - {name: c, bind: 0.0.0.0:8082, protocol: udp, pool: app}
                pools:
                  app:
                    balance: leastconn
                    health_check: {type: htttp}
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                """)).containsExactly(
                "2:45: listeners[0].protocol: unknown protocol 'HTTP'; did you mean 'http'?"
                        + " (expected one of http, https, tcp, tls)",
                "3:77: listeners[1].proxy_protocol: unknown proxy_protocol 'v3'; did you mean 'v1'?"
                        + " (expected one of none, v1, v2)",
                "4:45: listeners[2].protocol: unknown protocol 'udp' (expected one of http, https, tcp, tls)",
                "7:14: pools.app.balance: unknown balance 'leastconn'; did you mean 'least_conn'?"
                        + " (expected one of round_robin, least_conn, random, source_hash, consistent_hash)",
                "8:26: pools.app.health_check.type: unknown health check type 'htttp'; did you mean 'http'?"
                        + " (expected one of tcp, http, tls, https, grpc)");
    }

    // ---- references ------------------------------------------------------------------------------

    @Test
    void missingPoolsAndCertificates() {
        assertThat(check("""
                certificates:
                  - {name: site, cert: certs/site.crt, key: certs/site.key}
                listeners:
                  - name: web
                    bind: 0.0.0.0:8443
                    protocol: https
                    certificates: [sight, other]
                    routes:
                      - {pool: vidoe}
                      - {pool: zzz}
                  - {name: db, bind: 0.0.0.0:5432, protocol: tcp, pool: dbb}
                pools:
                  video:
                    servers: [{name: v1, address: 127.0.0.1:9001}]
                  db:
                    servers: [{name: d1, address: 127.0.0.1:5433}]
                """)).containsExactly(
                "7:20: listeners[0].certificates[0]: unknown certificate 'sight'; defined certificates: site",
                "7:27: listeners[0].certificates[1]: unknown certificate 'other'; defined certificates: site",
                "9:16: listeners[0].routes[0].pool: unknown pool 'vidoe'; did you mean 'video'?",
                "10:16: listeners[0].routes[1].pool: unknown pool 'zzz'; defined pools: video, db",
                "11:57: listeners[1].pool: unknown pool 'dbb'; did you mean 'db'?");
        assertThat(check("""
                listeners:
                  - {name: web, bind: 0.0.0.0:8080, protocol: http, routes: [{pool: app}]}
                """)).containsExactly("2:69: listeners[0].routes[0].pool: unknown pool 'app'; no pools are defined");
    }

    // ---- duplicates ----------------------------------------------------------------------------------

    @Test
    void duplicateNames() {
        assertThat(check("""
                certificates:
                  - {name: site, cert: certs/site.crt, key: certs/site.key}
                  - {name: site, cert: certs/site.crt, key: certs/site.key}
                listeners:
                  - name: web
                    bind: 0.0.0.0:8080
                    protocol: http
                    routes:
                      - {name: a, pool: app}
                      - {name: a, pool: app}
                      - {pool: app}
                      - {name: route-3, pool: app}
                  - name: web
                    bind: 0.0.0.0:8081
                    protocol: http
                    routes: [{pool: app}]
                pools:
                  app:
                    servers:
                      - {name: a1, address: 127.0.0.1:9001}
                      - {name: a1, address: 127.0.0.1:9002}
                  app:
                    servers: []
                """)).containsExactly(
                "3:12: certificates[1].name: duplicate certificate name 'site' (first used at line 2, column 12);"
                        + " certificate names must be unique",
                "10:16: listeners[0].routes[1].name: duplicate route name 'a' (first used at line 9, column 16);"
                        + " route names must be unique within a listener",
                "12:16: listeners[0].routes[3].name: duplicate route name 'route-3' (first used at line 11,"
                        + " column 9); route names must be unique within a listener",
                "13:11: listeners[1].name: duplicate listener name 'web' (first used at line 5, column 11);"
                        + " listener names must be unique",
                "21:16: pools.app.servers[1].name: duplicate server name 'a1' (first used at line 20, column 16);"
                        + " server names must be unique within a pool",
                "22:3: pools.app: duplicate key 'app' (first defined at line 18, column 3); each key may appear once");
    }

    @Test
    void everyDuplicateKeyIsReported() {
        assertThat(check("""
                listeners:
                  - name: web
                    bind: 0.0.0.0:8080
                    name: web2
                    protocol: http
                    routes: [{pool: app, pool: app}]
                    bind: 0.0.0.0:8081
                """ + POOLS)).containsExactly(
                "4:5: listeners[0].name: duplicate key 'name' (first defined at line 2, column 5);"
                        + " each key may appear once",
                "6:26: listeners[0].routes[0].pool: duplicate key 'pool' (first defined at line 6, column 15);"
                        + " each key may appear once",
                "7:5: listeners[0].bind: duplicate key 'bind' (first defined at line 3, column 5);"
                        + " each key may appear once");
    }

    @Test
    void bindConflicts() {
        assertThat(check("""
                admin: {bind: 127.0.0.1:9000}
                listeners:
                  - {name: a, bind: 127.0.0.1:8080, protocol: http, routes: [{pool: app}]}
                  - {name: b, bind: 127.0.0.1:8080, protocol: http, routes: [{pool: app}]}
                  - {name: c, bind: 10.0.0.1:8081, protocol: http, routes: [{pool: app}]}
                  - {name: d, bind: 0.0.0.0:8081, protocol: http, routes: [{pool: app}]}
                  - {name: e, bind: "[::1]:8082", protocol: http, routes: [{pool: app}]}
                  - {name: f, bind: "[::]:8082", protocol: http, routes: [{pool: app}]}
                  - {name: g, bind: "[0:0::1]:8083", protocol: http, routes: [{pool: app}]}
                  - {name: h, bind: "[::1]:8083", protocol: http, routes: [{pool: app}]}
                  - {name: i, bind: 0.0.0.0:0, protocol: http, routes: [{pool: app}]}
                  - {name: j, bind: 0.0.0.0:0, protocol: http, routes: [{pool: app}]}
                  - {name: k, bind: 10.0.0.1:8084, protocol: http, routes: [{pool: app}]}
                  - {name: l, bind: 10.0.0.2:8084, protocol: http, routes: [{pool: app}]}
                  - {name: m, bind: 0.0.0.0:9000, protocol: http, routes: [{pool: app}]}
                """ + POOLS)).containsExactly(
                "4:21: listeners[1].bind: bind 127.0.0.1:8080 conflicts with listener 'a' on 127.0.0.1:8080;"
                        + " each listener needs its own address and port",
                "6:21: listeners[3].bind: bind 0.0.0.0:8081 conflicts with listener 'c' on 10.0.0.1:8081"
                        + " (0.0.0.0:8081 listens on every address of port 8081); each listener needs its own"
                        + " address and port",
                "8:21: listeners[5].bind: bind [::]:8082 conflicts with listener 'e' on [::1]:8082"
                        + " ([::]:8082 listens on every address of port 8082); each listener needs its own"
                        + " address and port",
                "10:21: listeners[7].bind: bind [::1]:8083 conflicts with listener 'g' on [0:0::1]:8083;"
                        + " each listener needs its own address and port",
                "15:21: listeners[12].bind: bind 0.0.0.0:9000 conflicts with the admin listener on 127.0.0.1:9000"
                        + " (0.0.0.0:9000 listens on every address of port 9000); each listener needs its own"
                        + " address and port");
        assertThat(check("""
                listeners:
                  - {name: a, bind: "[::]:9090", protocol: http, routes: [{pool: app}]}
                """ + POOLS)).containsExactly("2:21: listeners[0].bind: bind [::]:9090 conflicts with the admin"
                + " listener (default bind 127.0.0.1:9090) on 127.0.0.1:9090 ([::]:9090 listens on every address"
                + " of port 9090); each listener needs its own address and port");
    }

    // ---- listener shape ----------------------------------------------------------------------------

    @Test
    void matchKeysMustSuitTheProtocol() {
        assertThat(check("""
                listeners:
                  - name: l4
                    bind: 0.0.0.0:5000
                    protocol: tcp
                    routes:
                      - match: {sni: db.example.com, host: db.example.com, path_prefix: /x}
                        pool: app
                      - match: {method: GET, headers: {a: b}, query: {a: b}, cookie: {a: b}, path: /, path_regex: x}
                        pool: app
                  - name: l7
                    bind: 0.0.0.0:5001
                    protocol: https
                    certificates: [site]
                    routes: [{match: {sni: a.example.com}, pool: app}]
                certificates:
                  - {name: site, cert: certs/site.crt, key: certs/site.key}
                """ + POOLS)).containsExactly(
                "6:38: listeners[0].routes[0].match.host: 'host' in a match applies only to http and https"
                        + " listeners, not tcp (a tcp listener matches only on 'sni')",
                "6:60: listeners[0].routes[0].match.path_prefix: 'path_prefix' in a match applies only to http and https"
                        + " listeners, not tcp (a tcp listener matches only on 'sni')",
                "8:17: listeners[0].routes[1].match.method: 'method' in a match applies only to http and https"
                        + " listeners, not tcp (a tcp listener matches only on 'sni')",
                "8:30: listeners[0].routes[1].match.headers: 'headers' in a match applies only to http and https"
                        + " listeners, not tcp (a tcp listener matches only on 'sni')",
                "8:47: listeners[0].routes[1].match.query: 'query' in a match applies only to http and https"
                        + " listeners, not tcp (a tcp listener matches only on 'sni')",
                "8:62: listeners[0].routes[1].match.cookie: 'cookie' in a match applies only to http and https"
                        + " listeners, not tcp (a tcp listener matches only on 'sni')",
                "8:78: listeners[0].routes[1].match.path: 'path' in a match applies only to http and https"
                        + " listeners, not tcp (a tcp listener matches only on 'sni')",
                "8:87: listeners[0].routes[1].match.path_regex: 'path_regex' in a match applies only to http and https"
                        + " listeners, not tcp (a tcp listener matches only on 'sni')",
                "14:23: listeners[1].routes[0].match.sni: 'sni' in a match applies only to tcp and tls listeners,"
                        + " not https (on an https listener match on 'host')");
    }

    @Test
    void listenerNeedsTheRightWayToPickAPool() {
        assertThat(check("""
                listeners:
                  - {name: a, bind: 0.0.0.0:8080, protocol: tcp}
                  - {name: b, bind: 0.0.0.0:8081, protocol: http, pool: app}
                  - {name: c, bind: 0.0.0.0:8082, protocol: http}
                  - {name: d, bind: 0.0.0.0:8083, protocol: http, routes: []}
                  - {name: e, bind: 0.0.0.0:8084, protocol: http, routes: [{pool: app}], proxy_protocol: v1}
                """ + POOLS)).containsExactly(
                "2:5: listeners[0]: a tcp listener needs a 'pool' (or 'routes' matching on sni)",
                "3:5: listeners[1]: an http listener needs 'routes' (first match wins; e.g. routes: [{pool: web}])",
                "3:51: listeners[1].pool: 'pool' applies only to tcp and tls listeners, not http (an http"
                        + " listener routes each request: write routes: [{pool: app}] instead)",
                "4:5: listeners[2]: an http listener needs 'routes' (first match wins; e.g. routes: [{pool: web}])",
                "5:59: listeners[3].routes: expected at least one route",
                "6:74: listeners[4].proxy_protocol: 'proxy_protocol' applies only to tcp and tls listeners, not http");
    }

    @Test
    void certificatesOnlyWhereTlsIsTerminated() {
        assertThat(check("""
                certificates:
                  - {name: site, cert: certs/site.crt, key: certs/site.key}
                listeners:
                  - {name: a, bind: 0.0.0.0:8443, protocol: https, routes: [{pool: app}]}
                  - {name: b, bind: 0.0.0.0:8444, protocol: tls, pool: app}
                  - {name: c, bind: 0.0.0.0:8445, protocol: tls, pool: app, certificates: []}
                  - {name: d, bind: 0.0.0.0:8080, protocol: http, routes: [{pool: app}], certificates: [site]}
                  - {name: e, bind: 0.0.0.0:5432, protocol: tcp, pool: app, certificates: [site]}
                  - {name: f, bind: 0.0.0.0:8446, protocol: tls, pool: app, certificates: [site]}
                """ + POOLS)).containsExactly(
                "4:5: listeners[0]: an https listener needs 'certificates' naming entries of the top-level"
                        + " certificates list",
                "5:5: listeners[1]: a tls listener needs 'certificates' naming entries of the top-level"
                        + " certificates list",
                "6:75: listeners[2].certificates: expected at least one certificate name",
                "7:74: listeners[3].certificates: 'certificates' applies only to https and tls listeners, not http"
                        + " (use protocol: https to terminate TLS)",
                "8:61: listeners[4].certificates: 'certificates' applies only to https and tls listeners, not tcp"
                        + " (use protocol: tls to terminate TLS)");
    }

    // ---- files -----------------------------------------------------------------------------------------

    @Test
    void filesMustBeReadable() throws Exception {
        Files.createDirectories(dir.resolve("adir"));
        List<String> errors = check("""
                admin: {token_file: missing.token}
                certificates:
                  - name: site
                    cert: certs/nope.crt
                    key: adir
                listeners:
                  - {name: web, bind: 0.0.0.0:8080, protocol: http, routes: [{pool: app}]}
                ha: {node: a, bind: 10.0.0.1:7946, peers: [10.0.0.2:7946], secret_file: /nonexistent/ha.secret}
                """ + POOLS);
        assertThat(errors).hasSize(4);
        assertThat(errors.get(0)).startsWith("1:21: admin.token_file: token file 'missing.token' (")
                .endsWith("missing.token) does not exist; relative paths are resolved against the directory of"
                        + " the configuration file");
        assertThat(errors.get(1)).startsWith("4:11: certificates[0].cert: certificate file 'certs/nope.crt' (")
                .contains(dir.resolve("certs/nope.crt").toString());
        assertThat(errors.get(2)).startsWith("5:10: certificates[0].key: private key file 'adir' (")
                .endsWith(") is not a regular file");
        assertThat(errors.get(3)).isEqualTo("8:73: ha.secret_file: secret file '/nonexistent/ha.secret' does not"
                + " exist; relative paths are resolved against the directory of the configuration file");
    }

    @Test
    void filesWithoutReadPermission() throws Exception {
        Path secret = dir.resolve("locked.secret");
        Files.writeString(secret, "s");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Files.getFileStore(secret).supportsFileAttributeView("posix"), "POSIX permissions");
        Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("-w-------"));
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.isReadable(secret), "running as root reads anything");
        assertThat(check("""
                listeners:
                  - {name: web, bind: 0.0.0.0:8080, protocol: http, routes: [{pool: app}]}
                ha: {node: a, bind: 10.0.0.1:7946, peers: [10.0.0.2:7946], secret_file: locked.secret}
                """ + POOLS)).singleElement().asString().startsWith("3:73: ha.secret_file: secret file 'locked.secret'")
                .endsWith(") is not readable");
    }

    @Test
    void haCommandsNeedACommandAndRunsThatDoNotOverlap() {
        assertThat(check("""
                listeners:
                  - {name: web, bind: 0.0.0.0:8080, protocol: http, routes: [{pool: app}]}
                ha:
                  node: a
                  bind: 10.0.0.1:7946
                  peers: [10.0.0.2:7946]
                  secret_file: ha.secret
                  track_command: {command: [], interval: 1s, timeout: 2s, rise: 0}
                  vip_command: {release: [x]}
                  listeners_follow_state: maybe
                """ + POOLS)).containsExactly(
                "8:19: ha.track_command.command: expected a command: a non-empty list of arguments",
                "8:46: ha.track_command.timeout: timeout 2s must not be longer than interval 1s: runs would overlap",
                "8:65: ha.track_command.rise: 0 is out of range; expected an integer between 1 and 100",
                "9:16: ha.vip_command: missing required key 'acquire'",
                "10:27: ha.listeners_follow_state: expected true or false, got 'maybe'");
    }

    // ---- match values ----------------------------------------------------------------------------------

    @Test
    void matchValues() {
        assertThat(check("""
                listeners:
                  - name: web
                    bind: 0.0.0.0:8080
                    protocol: http
                    routes:
                      - match: {path: api, path_prefix: "/a b"}
                        pool: app
                      - match: {path_regex: "^/(v1|v2"}
                        pool: app
                      - match: {method: "GE T"}
                        pool: app
                      - match: {method: [get, "", {a: b}]}
                        pool: app
                      - match: {host: "a.*.com", headers: {"bad name": x}, cookie: {"a=b": x}}
                        pool: app
                      - match: {host: "example.com:8080", query: {q: [1]}}
                        pool: app
                """ + POOLS)).containsExactly(
                "6:23: listeners[0].routes[0].match.path: path 'api' must start with '/'",
                "6:41: listeners[0].routes[0].match.path_prefix: path_prefix '/a b' contains a space or control"
                        + " character; percent-encode it",
                "8:29: listeners[0].routes[1].match.path_regex: invalid regular expression '^/(v1|v2': Unclosed"
                        + " group near index 8",
                "10:25: listeners[0].routes[2].match.method: invalid HTTP method 'GE T'; expected a token like"
                        + " GET or POST",
                "12:31: listeners[0].routes[3].match.method[1]: invalid HTTP method ''; expected a token like"
                        + " GET or POST",
                "12:35: listeners[0].routes[3].match.method[2]: expected an HTTP method like GET, got a mapping",
                "14:23: listeners[0].routes[4].match.host: invalid host 'a.*.com'; expected an exact host name"
                        + " (api.example.com) or a wildcard *.suffix (*.example.com)",
                "14:44: listeners[0].routes[4].match.headers.bad name: invalid header name 'bad name'; expected a"
                        + " token like X-Tenant",
                "14:69: listeners[0].routes[4].match.cookie.a=b: invalid cookie name 'a=b'; expected a token"
                        + " (letters, digits and !#$%&'*+.^_`|~-, no spaces, '=', ';' or quotes)",
                "16:23: listeners[0].routes[5].match.host: host 'example.com:8080' must not contain a port;"
                        + " expected a host name or *.suffix",
                "16:54: listeners[0].routes[5].match.query.q: expected a string, got a list");
    }

    @Test
    void methodAcceptsOneOrMany() {
        FulcrumConfig c = Fixtures.parse("""
                listeners:
                  - name: web
                    bind: 0.0.0.0:8080
                    protocol: http
                    routes:
                      - {match: {method: get}, pool: app}
                      - {match: {method: [put, PATCH]}, pool: app}
                """ + POOLS, dir);
        assertThat(c.listeners().get(0).routes()).extracting(r -> r.match().methods())
                .containsExactly(List.of("GET"), List.of("PUT", "PATCH"));
    }

    // ---- numbers and ranges ----------------------------------------------------------------------------

    @Test
    void numericRangesAndPoolRules() {
        assertThat(check("""
                workers: 0
                listeners:
                  - {name: web, bind: 0.0.0.0:8080, protocol: http, routes: [{pool: app}]}
                pools:
                  app:
                    sticky: {cookie: "my cookie"}
                    health_check: {type: tcp, path: /health, interval: 1s, timeout: 1s, rise: 0, fall: 0}
                    servers:
                      - {name: a1, address: 127.0.0.1:9001, weight: 0}
                      - {name: a2, address: 127.0.0.1:9002, weight: 1001, max_connections: -1}
                      - {name: a3, address: 127.0.0.1:9003, weight: 1.5, max_connections: 0x10}
                  empty:
                    servers: []
                  bad name!:
                    servers: [{name: "x y", address: 127.0.0.1:1}]
                ha:
                  node: lb-a
                  priority: 0
                  bind: 10.0.0.1:7946
                  peers: []
                  advert_interval: 0
                  secret_file: ha.secret
                  vip:
                    - {address: 10.0.0.100/33, interface: eth0}
                    - {address: 10.0.0.100, interface: "a/b"}
                    - {address: "2001:db8::1/129", interface: eth0}
                    - {address: "host/24", interface: this-name-is-too-long}
                """)).containsExactly(
                "1:10: workers: 0 is out of range; expected an integer between 1 and 4096",
                "6:22: pools.app.sticky.cookie: invalid cookie name 'my cookie'; expected a token (letters, digits"
                        + " and !#$%&'*+.^_`|~-, no spaces, '=', ';' or quotes)",
                "7:31: pools.app.health_check.path: 'path' applies only to health checks of type http or https, not tcp",
                "7:69: pools.app.health_check.timeout: timeout 1s must be shorter than interval 1s",
                "7:79: pools.app.health_check.rise: 0 is out of range; expected an integer between 1 and 1000",
                "7:88: pools.app.health_check.fall: 0 is out of range; expected an integer between 1 and 1000",
                "9:53: pools.app.servers[0].weight: 0 is out of range; expected an integer between 1 and 1000",
                "10:53: pools.app.servers[1].weight: 1001 is out of range; expected an integer between 1 and 1000",
                "10:76: pools.app.servers[1].max_connections: -1 is out of range; expected an integer >= 0",
                "11:53: pools.app.servers[2].weight: expected an integer between 1 and 1000, got the number 1.5",
                "11:75: pools.app.servers[2].max_connections: expected an integer >= 0, got the number 0x10",
                "13:14: pools.empty.servers: pool 'empty' has no servers; expected at least one {name, address}",
                "14:3: pools.bad name!: invalid pool name 'bad name!'; expected 1..64 letters, digits, '_', '.'"
                        + " or '-', starting with a letter or digit",
                "15:22: pools.bad name!.servers[0].name: invalid server name 'x y'; expected 1..64 letters, digits,"
                        + " '_', '.' or '-', starting with a letter or digit",
                "18:13: ha.priority: 0 is out of range; expected an integer between 1 and 255",
                "20:10: ha.peers: expected at least one peer host:port",
                "21:20: ha.advert_interval: expected a duration greater than 0, e.g. 250ms or 2s",
                "24:17: ha.vip[0].address: invalid prefix length '33' in '10.0.0.100/33'; expected 1..32",
                "25:17: ha.vip[1].address: '10.0.0.100' has no prefix length; expected address/prefix like"
                        + " 10.0.0.100/24",
                "25:40: ha.vip[1].interface: invalid interface name 'a/b'; expected 1..15 characters like eth0",
                "26:17: ha.vip[2].address: invalid prefix length '129' in '2001:db8::1/129'; expected 1..128",
                "27:17: ha.vip[3].address: 'host' in 'host/24' is not an IP address; expected address/prefix like"
                        + " 10.0.0.100/24",
                "27:39: ha.vip[3].interface: invalid interface name 'this-name-is-too-long'; expected 1..15"
                        + " characters like eth0");
    }

    // ---- hash_on ---------------------------------------------------------------------------------------

    @Test
    void hashOnAcceptsSourceAHeaderOrACookie() {
        FulcrumConfig c = Fixtures.parse("""
                listeners:
                  - {name: web, bind: 0.0.0.0:8080, protocol: http, routes: [{pool: users}, {pool: carts}]}
                  - {name: db, bind: 0.0.0.0:5432, protocol: tcp, pool: plain}
                pools:
                  users:
                    balance: consistent_hash
                    hash_on: {header: X-User}
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                  carts:
                    balance: consistent_hash
                    hash_on: {cookie: cart_id}
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                  plain:
                    balance: consistent_hash
                    hash_on: source
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                  default:
                    balance: consistent_hash
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                """, dir);
        assertThat(c.pool("users").orElseThrow().hashOn()).isEqualTo(new HashOn.Header("x-user"));
        assertThat(c.pool("carts").orElseThrow().hashOn()).isEqualTo(new HashOn.Cookie("cart_id"));
        assertThat(c.pool("plain").orElseThrow().hashOn()).isEqualTo(HashOn.SOURCE);
        assertThat(c.pool("default").orElseThrow().hashOn()).isEqualTo(HashOn.SOURCE);
    }

    @Test
    void hashOnValues() {
        assertThat(check("""
                listeners:
                  - {name: web, bind: 0.0.0.0:8080, protocol: http, routes: [{pool: a}]}
                pools:
                  a:
                    balance: consistent_hash
                    hash_on: destination
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                  b:
                    balance: consistent_hash
                    hash_on: {header: "X User"}
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                  c:
                    balance: consistent_hash
                    hash_on: {cookie: "a=b"}
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                  d:
                    balance: consistent_hash
                    hash_on: {header: X-User, cookie: sid}
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                  e:
                    balance: consistent_hash
                    hash_on: {}
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                  f:
                    balance: consistent_hash
                    hash_on: {heder: X-User}
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                  g:
                    balance: consistent_hash
                    hash_on: [source]
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                """)).containsExactly(
                "6:14: pools.a.hash_on: unknown hash_on 'destination'; expected 'source' or a mapping"
                        + " {header: NAME} or {cookie: NAME}",
                "10:23: pools.b.hash_on.header: invalid header name 'X User'; expected a token like X-Tenant",
                "14:23: pools.c.hash_on.cookie: invalid cookie name 'a=b'; expected a token (letters, digits and"
                        + " !#$%&'*+.^_`|~-, no spaces, '=', ';' or quotes)",
                "18:31: pools.d.hash_on.cookie: give either 'header' or 'cookie' to hash on, not both",
                "22:14: pools.e.hash_on: expected one of {header: NAME} or {cookie: NAME}",
                "26:15: pools.f.hash_on.heder: unknown key 'heder' in hash_on; did you mean 'header'?",
                "30:14: pools.g.hash_on: expected 'source' or a mapping {header: NAME} or {cookie: NAME},"
                        + " got a list");
    }

    @Test
    void hashOnOnlyWithConsistentHash() {
        assertThat(check("""
                listeners:
                  - {name: web, bind: 0.0.0.0:8080, protocol: http, routes: [{pool: a}]}
                pools:
                  a:
                    hash_on: {header: X-User}
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                  b:
                    balance: source_hash
                    hash_on: source
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                  c:
                    balance: least_conn
                    hash_on: {cookie: sid}
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                """)).containsExactly(
                "5:5: pools.a.hash_on: 'hash_on' applies only to balance: consistent_hash, not round_robin"
                        + " (the default)",
                "9:5: pools.b.hash_on: 'hash_on' applies only to balance: consistent_hash, not source_hash;"
                        + " source_hash always hashes the client address",
                "13:5: pools.c.hash_on: 'hash_on' applies only to balance: consistent_hash, not least_conn");
    }

    @Test
    void headerOrCookieHashKeysNeedAnHttpListener() {
        assertThat(check("""
                certificates:
                  - {name: site, cert: certs/site.crt, key: certs/site.key}
                listeners:
                  - {name: web, bind: 0.0.0.0:8080, protocol: http, routes: [{pool: users}]}
                  - {name: raw, bind: 0.0.0.0:9000, protocol: tcp, pool: users}
                  - name: sni
                    bind: 0.0.0.0:9443
                    protocol: tls
                    certificates: [site]
                    routes:
                      - {match: {sni: a.example.com}, pool: sources}
                      - {pool: carts}
                pools:
                  users:
                    balance: consistent_hash
                    hash_on: {header: X-User}
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                  carts:
                    balance: consistent_hash
                    hash_on: {cookie: cart}
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                  sources:
                    balance: consistent_hash
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                """)).containsExactly(
                "5:58: listeners[1].pool: pool 'users' hashes on header x-user (hash_on), which a tcp listener"
                        + " never sees; give it hash_on: source, or use another pool",
                "12:16: listeners[2].routes[1].pool: pool 'carts' hashes on cookie cart (hash_on), which a tls"
                        + " listener never sees; give it hash_on: source, or use another pool");
    }

    // ---- all at once -----------------------------------------------------------------------------------

    @Test
    void fiveMistakesFiveErrors() {
        assertThat(check("""
                listeners:
                  - name: web
                    bind: 0.0.0.0:80800
                    protocol: http
                    routes:
                      - {name: video, match: {path_prefix: /video}, pool: vidoe}
                      - {name: rest, match: {methd: GET}, pool: web}
                pools:
                  video:
                    balance: fastest
                    servers: [{name: v1, address: 127.0.0.1:9001}]
                  web:
                    health_check: {interval: 2s, timeout: 3s}
                    servers: [{name: w1, address: 127.0.0.1:9002}]
                """)).containsExactly(
                "3:11: listeners[0].bind: port 80800 in '0.0.0.0:80800' is out of range;"
                        + " expected 0..65535 (0 = any free port)",
                "6:59: listeners[0].routes[0].pool: unknown pool 'vidoe'; did you mean 'video'?",
                "7:30: listeners[0].routes[1].match.methd: unknown key 'methd' in match; did you mean 'method'?",
                "10:14: pools.video.balance: unknown balance 'fastest' (expected one of round_robin, least_conn,"
                        + " random, source_hash, consistent_hash)",
                "13:43: pools.web.health_check.timeout: timeout 3s must be shorter than interval 2s");
    }

    @Test
    void errorsAreCappedButNeverSilent() {
        StringBuilder yaml = new StringBuilder("listeners:\n");
        for (int i = 0; i < 150; i++) {
            yaml.append("  - {name: l").append(i).append(", bind: 0.0.0.0:0, protocol: htp, routes: [{pool: app}]}\n");
        }
        List<String> errors = check(yaml + POOLS);
        assertThat(errors).hasSize(ParseContext.MAX_ERRORS + 1);
        assertThat(errors.get(errors.size() - 1)).isEqualTo("1:1: too many errors; only the first 100 are shown");
    }

    // ---- http edge: timeouts, limits, upstream ---------------------------------------------------

    @Test
    void badEdgeTimeoutsAndLimits() {
        assertThat(check("""
                listeners:
                  - name: web
                    bind: 0.0.0.0:8080
                    protocol: http
                    timeouts: {request_header: 0s, request_body: 5, client_idle: 1m, response: 1s}
                    limits: {request_line: 100B, header_block: 2MiB, headers: 0, request_body: lots}
                    routes:
                      - pool: app
                        timeouts: {response: 0}
                        limits: {request_body: 1.5MiB, request_line: 1KiB}
                  - name: db
                    bind: 0.0.0.0:5432
                    protocol: tcp
                    pool: app
                    timeouts: {client_idle: 1m}
                    routes: [{pool: app, limits: {request_body: unlimited}}]
                pools:
                  app:
                    connect_timeout: 0ms
                    idle_timeout: forever
                    max_idle: -1
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                """)).containsExactly(
                "5:32: listeners[0].timeouts.request_header: expected a duration greater than 0, e.g. 250ms or 2s",
                "5:50: listeners[0].timeouts.request_body: duration '5' has no unit; write e.g. 5ms or 5s",
                "5:70: listeners[0].timeouts.response: unknown key 'response' in listener_timeouts;"
                        + " expected one of: request_header, request_body, client_idle, client_write, tunnel_idle",
                "6:28: listeners[0].limits.request_line: 100B is out of range; expected a size from 256B to 1MiB",
                "6:48: listeners[0].limits.header_block: 2MiB is out of range; expected a size from 1KiB to 1MiB",
                "6:63: listeners[0].limits.headers: 0 is out of range; expected an integer between 1 and 10000",
                "6:80: listeners[0].limits.request_body: invalid size 'lots'; expected a byte count or a number"
                        + " with KiB, MiB, GiB or TiB, e.g. 64KiB (or unlimited)",
                "9:30: listeners[0].routes[0].timeouts.response: expected a duration greater than 0, e.g. 250ms or 2s",
                "10:32: listeners[0].routes[0].limits.request_body: fractional size '1.5MiB'; use a smaller unit"
                        + " instead, e.g. 1536KiB rather than 1.5MiB (or unlimited)",
                "10:40: listeners[0].routes[0].limits.request_line: unknown key 'request_line' in route_limits;"
                        + " expected one of: request_body, concurrent_requests",
                "15:5: listeners[1].timeouts: 'timeouts' applies only to http and https listeners, not tcp",
                "16:26: listeners[1].routes[0].limits: 'limits' on a route applies only to http and https listeners,"
                        + " not tcp",
                "19:22: pools.app.connect_timeout: expected a duration greater than 0, e.g. 250ms or 2s",
                "20:19: pools.app.idle_timeout: invalid duration 'forever'; expected a number with a unit,"
                        + " e.g. 250ms, 2s, 1m, 1h or 1m30s",
                "21:15: pools.app.max_idle: -1 is out of range; expected an integer between 0 and 100000");
    }
}
