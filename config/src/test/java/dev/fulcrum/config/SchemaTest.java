package dev.fulcrum.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON schema (for editors) and the loader describe the same format: every example passes
 * both, they know the same keys, enums and defaults, and reject the same broken documents.
 */
class SchemaTest {

    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static JsonNode schemaJson;
    private static Schema schema;

    @TempDir
    Path dir;

    @BeforeAll
    static void loadSchema() throws IOException {
        try (InputStream in = SchemaTest.class.getResourceAsStream("/schema/fulcrum.schema.json")) {
            assertThat(in).as("schema on the classpath").isNotNull();
            schemaJson = JSON.readTree(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
        schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(schemaJson);
    }

    /** The repository's examples directory, seen from the module directory the tests run in. */
    static Path examplesDir() {
        for (Path p : List.of(Path.of("../examples"), Path.of("examples"))) {
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        throw new IllegalStateException("examples directory not found from " + Path.of("").toAbsolutePath());
    }

    static Stream<Path> examples() throws IOException {
        try (Stream<Path> files = Files.list(examplesDir())) {
            return files.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    /** Other test classes call this too: the schema is loaded on first use, whichever class runs first. */
    static synchronized List<Error> schemaErrors(String yaml) {
        if (schema == null) {
            try {
                loadSchema();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
        return schema.validate(JSON.valueToTree(doc));
    }

    @Test
    void examplesExist() throws IOException {
        assertThat(examples().map(p -> p.getFileName().toString()))
                .contains("fulcrum.yaml", "minimal.yaml", "ha-pair.yaml");
    }

    @ParameterizedTest
    @MethodSource("examples")
    void everyExamplePassesTheSchemaAndTheLoader(Path example) throws Exception {
        assertThat(schemaErrors(Files.readString(example))).isEmpty();
        FulcrumConfig config = ConfigLoader.load(example);
        assertThat(config.listeners()).isNotEmpty();
    }

    @Test
    void loaderAndSchemaKnowTheSameKeys() {
        ParseContext ctx = new ParseContext("contract.yaml", Fixtures.files(dir));
        assertThat(ConfigLoader.parse(ctx, ConfigLoaderTest.CONTRACT)).as("%s", ctx.errors()).isNotNull();

        Set<String> schemaSections = new TreeSet<>();
        schemaJson.get("$defs").properties().forEach(e -> {
            if (e.getValue().has("properties")) {
                schemaSections.add(e.getKey());
            }
        });
        Set<String> loaderSections = new TreeSet<>(ctx.sectionKeys().keySet());
        loaderSections.remove(ConfigParser.ROOT);
        assertThat(loaderSections).as("sections (schema $defs with properties)").isEqualTo(schemaSections);

        ctx.sectionKeys().forEach((section, keys) -> {
            JsonNode def = section.equals(ConfigParser.ROOT) ? schemaJson : schemaJson.get("$defs").get(section);
            assertThat(new TreeSet<>(def.get("properties").propertyNames())).as("keys of %s", section)
                    .isEqualTo(new TreeSet<>(keys));
            assertThat(strings(def.path("required"))).as("required keys of %s", section)
                    .isEqualTo(new TreeSet<>(ctx.requiredKeys().get(section)));
            assertThat(def.path("additionalProperties").asBoolean(true)).as("%s closed", section).isFalse();
        });
    }

    @Test
    void theProtocolTableNamesOnlyKeysTheSchemaKnows() {
        Map<ProtocolKeys.Scope, String> sections = Map.of(ProtocolKeys.Scope.LISTENER, "listener",
                ProtocolKeys.Scope.ROUTE, "route", ProtocolKeys.Scope.MATCH, "match");
        for (ProtocolKeys.Rule rule : ProtocolKeys.rules()) {
            JsonNode def = schemaJson.get("$defs").get(sections.get(rule.scope()));
            String[] parts = rule.key().split("\\.");
            for (int i = 0; i < parts.length; i++) {
                assertThat(def.path("properties").has(parts[i])).as("%s %s", rule.scope(), rule.key()).isTrue();
                JsonNode property = def.get("properties").get(parts[i]);
                def = property.has("$ref")
                        ? schemaJson.at(property.get("$ref").asString().substring(1)) : property;
            }
        }
    }

    /** The schema's per-protocol branches refuse what the table refuses, for listener and route keys. */
    @Test
    void theSchemaRefusesWhatTheProtocolTableRefuses() {
        JsonNode branches = schemaJson.at("/$defs/listener/allOf");
        JsonNode http = branches.get(0).at("/then/properties");
        JsonNode tcp = branches.get(1).at("/then/properties");
        for (ProtocolKeys.Rule rule : ProtocolKeys.rules()) {
            boolean l7 = rule.allowed().equals(Set.of(Protocol.HTTP, Protocol.HTTPS));
            boolean l4 = rule.allowed().equals(Set.of(Protocol.TCP, Protocol.TLS));
            JsonNode refusing = l7 ? tcp : http;
            if (!(l7 || l4) || rule.scope() == ProtocolKeys.Scope.MATCH) {
                continue;
            }
            JsonNode props = rule.scope() == ProtocolKeys.Scope.LISTENER ? refusing
                    : refusing.at("/routes/items/properties");
            assertThat(props.path(rule.key()).isBoolean() && !props.get(rule.key()).asBoolean())
                    .as("schema refuses %s %s on %s listeners", rule.scope(), rule.key(), l7 ? "tcp/tls" : "http/https")
                    .isTrue();
        }
    }

    @Test
    void enumsAndDefaultsAgree() {
        JsonNode defs = schemaJson.get("$defs");
        assertThat(strings(defs.at("/listener/properties/protocol/enum"))).isEqualTo(keys(Protocol.values()));
        assertThat(strings(defs.at("/listener/properties/proxy_protocol/enum"))).isEqualTo(keys(ProxyProtocol.values()));
        assertThat(strings(defs.at("/pool/properties/balance/enum"))).isEqualTo(keys(Balance.values()));
        assertThat(strings(defs.at("/health_check/properties/type/enum"))).isEqualTo(keys(HealthCheckType.values()));

        assertThat(defs.at("/admin/properties/bind/default").asString()).isEqualTo(AdminConfig.DEFAULT_BIND.toString());
        assertThat(defs.at("/server/properties/weight/default").asInt()).isEqualTo(ServerConfig.DEFAULT_WEIGHT);
        assertThat(defs.at("/pool/properties/hash_on/default").asString()).isEqualTo(HashOn.SOURCE.describe());
        assertThat(defs.at("/health_check/properties/path/default").asString()).isEqualTo(HealthCheckConfig.DEFAULT_PATH);
        assertThat(duration(defs.at("/health_check/properties/interval/default"))).isEqualTo(HealthCheckConfig.DEFAULT_INTERVAL);
        assertThat(duration(defs.at("/health_check/properties/timeout/default"))).isEqualTo(HealthCheckConfig.DEFAULT_TIMEOUT);
        assertThat(defs.at("/health_check/properties/rise/default").asInt()).isEqualTo(HealthCheckConfig.DEFAULT_RISE);
        assertThat(defs.at("/health_check/properties/fall/default").asInt()).isEqualTo(HealthCheckConfig.DEFAULT_FALL);
        assertThat(duration(defs.at("/ha/properties/advert_interval/default"))).isEqualTo(HaConfig.DEFAULT_ADVERT_INTERVAL);
        assertThat(duration(defs.at("/listener_timeouts/properties/request_header/default")))
                .isEqualTo(ListenerTimeouts.DEFAULT_REQUEST_HEADER);
        assertThat(duration(defs.at("/listener_timeouts/properties/request_body/default")))
                .isEqualTo(ListenerTimeouts.DEFAULT_REQUEST_BODY);
        assertThat(duration(defs.at("/listener_timeouts/properties/client_idle/default")))
                .isEqualTo(ListenerTimeouts.DEFAULT_CLIENT_IDLE);
        assertThat(Sizes.parse(defs.at("/listener_limits/properties/request_line/default").asString()))
                .isEqualTo(ListenerLimits.DEFAULT_REQUEST_LINE);
        assertThat(Sizes.parse(defs.at("/listener_limits/properties/header_block/default").asString()))
                .isEqualTo(ListenerLimits.DEFAULT_HEADER_BLOCK);
        assertThat(defs.at("/listener_limits/properties/headers/default").asInt()).isEqualTo(ListenerLimits.DEFAULT_HEADERS);
        assertThat(defs.at("/listener_limits/properties/headers/maximum").asInt()).isEqualTo(ListenerLimits.MAX_HEADERS);
        assertThat(Sizes.parse(defs.at("/listener_limits/properties/request_body/default").asString()))
                .isEqualTo(ListenerLimits.DEFAULT_REQUEST_BODY);
        assertThat(duration(defs.at("/route_timeouts/properties/response/default")))
                .isEqualTo(RoutePolicy.DEFAULT_RESPONSE_TIMEOUT);
        assertThat(duration(defs.at("/route_timeouts/properties/response_idle/default")))
                .isEqualTo(RoutePolicy.DEFAULT_RESPONSE_IDLE_TIMEOUT);
        assertThat(Sizes.parse(defs.at("/route/properties/buffer_request/default").asString()))
                .isEqualTo(RoutePolicy.DEFAULT_BUFFER_REQUEST);
        assertThat(duration(defs.at("/listener_timeouts/properties/client_write/default")))
                .isEqualTo(ListenerTimeouts.DEFAULT_CLIENT_WRITE);
        assertThat(duration(defs.at("/listener_timeouts/properties/tunnel_idle/default")))
                .isEqualTo(ListenerTimeouts.DEFAULT_TUNNEL_IDLE);
        assertThat(defs.at("/listener_limits/properties/min_body_rate/default").asString())
                .isEqualTo(Sizes.format(ListenerLimits.DEFAULT_MIN_BODY_RATE) + "/s");
        assertThat(defs.at("/rate/anyOf/1/pattern").asString()).isEqualTo(Scalars.RATE_PATTERN);
        assertThat(duration(defs.at("/pool/properties/connect_timeout/default")))
                .isEqualTo(UpstreamConfig.DEFAULT_CONNECT_TIMEOUT);
        assertThat(duration(defs.at("/pool/properties/idle_timeout/default"))).isEqualTo(UpstreamConfig.DEFAULT_IDLE_TIMEOUT);
        assertThat(defs.at("/pool/properties/max_idle/default").asInt()).isEqualTo(UpstreamConfig.DEFAULT_MAX_IDLE);
        assertThat(defs.at("/pool/properties/max_idle/maximum").asInt()).isEqualTo(UpstreamConfig.MAX_MAX_IDLE);
        assertThat(strings(defs.at("/pool/properties/protocol/enum"))).isEqualTo(keys(UpstreamProtocol.values()));
        assertThat(defs.at("/pool/properties/protocol/default").asString()).isEqualTo(UpstreamProtocol.HTTP1.key());
        assertThat(defs.at("/listener/properties/http2/default").asBoolean()).isEqualTo(Http2Config.DEFAULTS.enabled());
        Http2Config h2 = Http2Config.DEFAULTS;
        JsonNode listenerH2 = defs.at("/listener_http2/properties");
        assertThat(listenerH2.at("/max_concurrent_streams/default").asInt()).isEqualTo(h2.maxConcurrentStreams());
        assertThat(Sizes.parse(listenerH2.at("/initial_window/default").asString())).isEqualTo(h2.initialWindow());
        assertThat(Sizes.parse(listenerH2.at("/connection_window/default").asString())).isEqualTo(h2.connectionWindow());
        assertThat(Sizes.parse(listenerH2.at("/max_header_list/default").asString())).isEqualTo(h2.maxHeaderList());
        assertThat(Sizes.parse(listenerH2.at("/max_frame/default").asString())).isEqualTo(h2.maxFrame());
        assertThat(listenerH2.at("/max_resets/default").asInt()).isEqualTo(h2.maxResets());
        assertThat(listenerH2.at("/max_resets_sent/default").asInt()).isEqualTo(h2.maxResetsSent());
        assertThat(duration(listenerH2.at("/reset_window/default"))).isEqualTo(h2.resetWindow());
        assertThat(listenerH2.at("/max_small_continuations/default").asInt()).isEqualTo(h2.maxSmallContinuations());
        assertThat(listenerH2.at("/max_empty_data/default").asInt()).isEqualTo(h2.maxEmptyData());
        assertThat(listenerH2.at("/max_queued_control_frames/default").asInt()).isEqualTo(h2.maxQueuedControlFrames());
        assertThat(listenerH2.at("/max_control_frames/default").asInt()).isEqualTo(h2.maxControlFrames());
        assertThat(duration(listenerH2.at("/flood_window/default"))).isEqualTo(h2.floodWindow());
        assertThat(listenerH2.at("/max_requests/default").asInt()).isEqualTo(h2.maxRequests());
        UpstreamHttp2Config up = UpstreamHttp2Config.DEFAULTS;
        JsonNode upstreamH2 = defs.at("/upstream_http2/properties");
        assertThat(upstreamH2.at("/max_concurrent_streams/default").asInt()).isEqualTo(up.maxConcurrentStreams());
        assertThat(Sizes.parse(upstreamH2.at("/initial_window/default").asString())).isEqualTo(up.initialWindow());
        assertThat(Sizes.parse(upstreamH2.at("/connection_window/default").asString())).isEqualTo(up.connectionWindow());
        assertThat(Sizes.parse(upstreamH2.at("/max_header_list/default").asString())).isEqualTo(up.maxHeaderList());
        assertThat(upstreamH2.at("/max_requests/default").asInt()).isEqualTo(up.maxRequests());
        assertThat(duration(upstreamH2.at("/ping_interval/default"))).isEqualTo(up.pingInterval());
        assertThat(duration(upstreamH2.at("/ping_timeout/default"))).isEqualTo(up.pingTimeout());

        assertThat(defs.at("/duration/anyOf/0/pattern").asString()).isEqualTo(Durations.PATTERN);
        assertThat(defs.at("/positive_duration/pattern").asString()).isEqualTo(Durations.PATTERN);
        assertThat(defs.at("/size/anyOf/1/pattern").asString()).isEqualTo(Sizes.PATTERN);
        assertThat(defs.at("/name/pattern").asString()).isEqualTo("^" + Scalars.NAME.pattern() + "$");
        assertThat(defs.at("/token/pattern").asString()).isEqualTo("^" + HttpValues.TOKEN.pattern() + "$");
    }

    static final String BASE = """
            certificates:
              - {name: site, cert: certs/site.crt, key: certs/site.key}
            listeners:
              - name: web
                bind: 0.0.0.0:8080
                protocol: http
                routes:
                  - {name: api, match: {path_prefix: /api, method: GET}, pool: app}
                  - {pool: app}
              - {name: tls, bind: 0.0.0.0:8443, protocol: https, certificates: [site], routes: [{pool: app}]}
              - {name: db, bind: 0.0.0.0:5432, protocol: tcp, pool: app}
            pools:
              app:
                sticky: {cookie: APP}
                health_check: {type: http, path: /health, interval: 2s, timeout: 1s}
                servers:
                  - {name: a1, address: 127.0.0.1:9001, weight: 10}
            ha:
              node: lb-a
              bind: 10.0.0.1:7946
              peers: [10.0.0.2:7946]
              secret_file: ha.secret
              vip: [{address: 10.0.0.100/24, interface: eth0}]
            """;

    static Stream<Arguments> brokenDocuments() {
        return Stream.of(
                broken("unknown top-level key", "worker: 2\n" + BASE),
                broken("unknown server key", BASE.replace("weight: 10", "wieght: 10")),
                broken("unknown match key", BASE.replace("path_prefix: /api", "path_prefx: /api")),
                broken("bad protocol", BASE.replace("protocol: tcp", "protocol: udp")),
                broken("bad balance", BASE.replace("sticky:", "balance: fastest\n    sticky:")),
                broken("hash_on without consistent_hash", BASE.replace("sticky:", "hash_on: source\n    sticky:")),
                broken("hash_on with round_robin", BASE.replace("sticky:", "balance: round_robin\n"
                        + "    hash_on: {header: X-User}\n    sticky:")),
                broken("hash_on unknown word", BASE.replace("sticky:", "balance: consistent_hash\n"
                        + "    hash_on: destination\n    sticky:")),
                broken("hash_on header and cookie", BASE.replace("sticky:", "balance: consistent_hash\n"
                        + "    hash_on: {header: X-User, cookie: sid}\n    sticky:")),
                broken("hash_on empty mapping", BASE.replace("sticky:", "balance: consistent_hash\n"
                        + "    hash_on: {}\n    sticky:")),
                broken("hash_on header not a token", BASE.replace("sticky:", "balance: consistent_hash\n"
                        + "    hash_on: {header: \"X User\"}\n    sticky:")),
                broken("duration without a known unit", BASE.replace("interval: 2s", "interval: 2sec")),
                broken("duration without a unit", BASE.replace("interval: 2s", "interval: \"2\"")),
                broken("zero timeout", BASE.replace("timeout: 1s", "timeout: 0ms")),
                broken("weight 0", BASE.replace("weight: 10", "weight: 0")),
                broken("weight 1001", BASE.replace("weight: 10", "weight: 1001")),
                broken("negative max_connections", BASE.replace("weight: 10", "max_connections: -1")),
                broken("address without port", BASE.replace("127.0.0.1:9001", "127.0.0.1")),
                broken("server port 0", BASE.replace("127.0.0.1:9001", "127.0.0.1:0")),
                broken("bind with a bad host", BASE.replace("0.0.0.0:8080", "bad_host:8080")),
                broken("http listener with pool", BASE.replace("protocol: http\n", "protocol: http\n    pool: app\n")),
                broken("http listener without routes", BASE.replace("protocol: https, certificates: [site], routes:"
                        + " [{pool: app}]", "protocol: https, certificates: [site]")),
                broken("tcp listener with neither pool nor routes", BASE.replace(", pool: app}", "}")),
                broken("https without certificates", BASE.replace("certificates: [site], ", "")),
                broken("certificates on tcp", BASE.replace("protocol: tcp, pool: app", "protocol: tcp, pool: app,"
                        + " certificates: [site]")),
                broken("proxy_protocol on http", BASE.replace("protocol: http\n", "protocol: http\n"
                        + "    proxy_protocol: v2\n")),
                broken("sni on http", BASE.replace("path_prefix: /api", "sni: a.example.com")),
                broken("http match on tcp", BASE.replace("protocol: tcp, pool: app", "protocol: tcp,"
                        + " routes: [{match: {host: a.com}, pool: app}]")),
                broken("path without slash", BASE.replace("path_prefix: /api", "path_prefix: api")),
                broken("method not a token", BASE.replace("method: GET", "method: \"GE T\"")),
                broken("host with bad wildcard", BASE.replace("path_prefix: /api", "host: \"a.*.com\"")),
                broken("bad name", BASE.replace("name: api", "name: \"my api\"")),
                broken("missing listener name", BASE.replace("- name: web\n    ", "- ")),
                broken("missing server address", BASE.replace(", address: 127.0.0.1:9001", "")),
                broken("missing route pool", BASE.replace("- {pool: app}", "- {name: x}")),
                broken("empty pool", BASE.replace("servers:\n      - {name: a1, address: 127.0.0.1:9001, weight: 10}",
                        "servers: []")),
                broken("no listeners", "listeners: []\n" + BASE.substring(BASE.indexOf("pools:"))),
                broken("no listeners key", BASE.substring(BASE.indexOf("pools:"))),
                broken("sticky without cookie", BASE.replace("{cookie: APP}", "{}")),
                broken("sticky cookie not a token", BASE.replace("{cookie: APP}", "{cookie: \"A P\"}")),
                broken("path on a tcp health check", BASE.replace("type: http, path", "type: tcp, path")),
                broken("rise 0", BASE.replace("timeout: 1s}", "timeout: 1s, rise: 0}")),
                broken("workers 0", "workers: 0\n" + BASE),
                broken("workers as a string", "workers: \"2\"\n" + BASE),
                broken("ha priority 256", BASE.replace("node: lb-a", "node: lb-a\n  priority: 256")),
                broken("ha without peers", BASE.replace("  peers: [10.0.0.2:7946]\n", "")),
                broken("vip without interface", BASE.replace(", interface: eth0", "")),
                broken("vip without prefix", BASE.replace("10.0.0.100/24", "10.0.0.100")),
                broken("listeners as a mapping", "listeners: {web: {}}\n" + BASE.substring(BASE.indexOf("pools:"))),
                broken("admin with unknown key", "admin: {port: 9090}\n" + BASE),
                broken("zero request_header timeout", BASE.replace("protocol: http\n",
                        "protocol: http\n    timeouts: {request_header: 0s}\n")),
                broken("unknown listener timeout", BASE.replace("protocol: http\n",
                        "protocol: http\n    timeouts: {response: 1s}\n")),
                broken("headers 0", BASE.replace("protocol: http\n", "protocol: http\n    limits: {headers: 0}\n")),
                broken("body limit not a size", BASE.replace("protocol: http\n",
                        "protocol: http\n    limits: {request_body: lots}\n")),
                broken("timeouts on tcp", BASE.replace("protocol: tcp, pool: app", "protocol: tcp, pool: app,"
                        + " timeouts: {client_idle: 1m}")),
                broken("route limits on tcp", BASE.replace("protocol: tcp, pool: app", "protocol: tcp,"
                        + " routes: [{pool: app, limits: {request_body: 1MiB}}]")),
                broken("route body limit fraction", BASE.replace("- {pool: app}",
                        "- {pool: app, limits: {request_body: 1.5MiB}}")),
                broken("route zero response timeout", BASE.replace("- {pool: app}",
                        "- {pool: app, timeouts: {response: 0}}")),
                broken("zero client_write", BASE.replace("protocol: http\n",
                        "protocol: http\n    timeouts: {client_write: 0s}\n")),
                broken("tunnel_idle without a unit", BASE.replace("protocol: http\n",
                        "protocol: http\n    timeouts: {tunnel_idle: \"10\"}\n")),
                broken("min_body_rate without /s", BASE.replace("protocol: http\n",
                        "protocol: http\n    limits: {min_body_rate: 240B}\n")),
                broken("min_body_rate per minute", BASE.replace("protocol: http\n",
                        "protocol: http\n    limits: {min_body_rate: 1KiB/m}\n")),
                broken("zero response_idle", BASE.replace("- {pool: app}",
                        "- {pool: app, timeouts: {response_idle: 0s}}")),
                broken("buffer_request fraction", BASE.replace("- {pool: app}",
                        "- {pool: app, buffer_request: 1.5KiB}")),
                broken("buffer_request on tcp", BASE.replace("protocol: tcp, pool: app", "protocol: tcp,"
                        + " routes: [{pool: app, buffer_request: 0}]")),
                broken("negative max_idle", BASE.replace("sticky:", "max_idle: -1\n    sticky:")),
                broken("zero connect_timeout", BASE.replace("sticky:", "connect_timeout: 0s\n    sticky:")),
                broken("http2 on tcp", BASE.replace("protocol: tcp, pool: app", "protocol: tcp, pool: app,"
                        + " http2: false")),
                broken("http2 neither boolean nor mapping", BASE.replace("protocol: http\n",
                        "protocol: http\n    http2: h2c\n")),
                broken("unknown http2 key", BASE.replace("protocol: http\n",
                        "protocol: http\n    http2: {max_streams: 10}\n")),
                broken("http2 zero streams", BASE.replace("protocol: http\n",
                        "protocol: http\n    http2: {max_concurrent_streams: 0}\n")),
                broken("http2 resets off", BASE.replace("protocol: http\n",
                        "protocol: http\n    http2: {max_resets: 0}\n")),
                broken("http2 window not a size", BASE.replace("protocol: http\n",
                        "protocol: http\n    http2: {initial_window: 64KB}\n")),
                broken("unknown pool protocol", BASE.replace("sticky:", "protocol: h2\n    sticky:")),
                broken("pool protocol auto without tls", BASE.replace("sticky:", "protocol: auto\n    sticky:")),
                broken("pool http2 with http1", BASE.replace("sticky:", "protocol: http1\n"
                        + "    http2: {max_requests: 10}\n    sticky:")),
                broken("pool http2 without protocol", BASE.replace("sticky:", "http2: {max_requests: 10}\n    sticky:")),
                broken("pool http2 zero ping_timeout", BASE.replace("sticky:", "protocol: http2\n"
                        + "    http2: {ping_timeout: 0s}\n    sticky:")));
    }

    private static Arguments broken(String what, String yaml) {
        assertThat(yaml).as("mutation '%s' changed the document", what).isNotEqualTo(BASE);
        return Arguments.of(what, yaml);
    }

    @Test
    void theBaseDocumentPassesBoth() {
        assertThat(schemaErrors(BASE)).isEmpty();
        Fixtures.parse(BASE, Fixtures.files(dir));
    }

    @Test
    void everyFormOfHttp2PassesBoth() {
        for (String listener : List.of("true", "false", "{}", "{max_concurrent_streams: 10, initial_window: 1MiB,"
                + " connection_window: 1MiB, reset_window: 1m, max_requests: 0}")) {
            for (String pool : List.of("protocol: http1", "protocol: http2\n    http2: {ping_interval: 0}",
                    "protocol: auto\n    tls: {verify: false}\n    http2: {max_requests: 5}")) {
                String yaml = BASE.replace("protocol: http\n", "protocol: http\n    http2: " + listener + "\n")
                        .replace("sticky:", pool + "\n    sticky:");
                assertThat(schemaErrors(yaml)).as("%s / %s", listener, pool).isEmpty();
                Fixtures.parse(yaml, Fixtures.files(dir));
            }
        }
    }

    @Test
    void everyFormOfHashOnPassesBoth() {
        for (String hashOn : List.of("source", "{header: X-User}", "{cookie: sid}")) {
            String yaml = BASE.replace("sticky:", "balance: consistent_hash\n    hash_on: " + hashOn + "\n    sticky:")
                    .replace("protocol: tcp, pool: app", "protocol: tcp, pool: db")
                    .replace("pools:\n", "pools:\n  db:\n    servers: [{name: d1, address: 127.0.0.1:5432}]\n");
            assertThat(schemaErrors(yaml)).as(hashOn).isEmpty();
            Fixtures.parse(yaml, Fixtures.files(dir));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenDocuments")
    void schemaAndLoaderRejectTheSameMistakes(String what, String yaml) {
        assertThat(schemaErrors(yaml)).as("schema errors for: %s", what).isNotEmpty();
        Fixtures.assertInvalid(yaml, Fixtures.files(dir));
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> out = new TreeSet<>();
        array.values().forEach(v -> out.add(v.asString()));
        return out;
    }

    private static Set<String> keys(Enum<?>[] values) {
        Set<String> out = new TreeSet<>();
        Arrays.stream(values).forEach(v -> out.add(v.name().toLowerCase(Locale.ROOT)));
        return out;
    }

    private static Duration duration(JsonNode node) {
        return Durations.parse(node.asString());
    }
}
