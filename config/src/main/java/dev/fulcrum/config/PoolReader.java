package dev.fulcrum.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** Reads the {@code pools} section: balancing, servers, health checks, stickiness and the upstream side. */
final class PoolReader {

    private static final String HASH_ON_EXPECTED = "'source' or a mapping {header: NAME} or {cookie: NAME}";

    private final ParseContext ctx;
    private final References refs;
    private final FileValues files;
    private final Http2Reader http2;

    PoolReader(ParseContext ctx, References refs) {
        this.ctx = ctx;
        this.refs = refs;
        this.files = ctx.files();
        this.http2 = new Http2Reader(ctx);
    }

    /** Every pool of the {@code pools} mapping whose name is valid, in the order written. */
    Map<String, PoolConfig> pools(MapReader root, List<MapReader.Entry> entries) {
        Map<String, PoolConfig> pools = new LinkedHashMap<>();
        for (MapReader.Entry e : entries) {
            Optional<String> name = root.parse(e.keyNode(), e.path(), Scalars.name("pool"));
            MapReader.of(ctx, "pool", e.valueNode(), e.path())
                    .map(pr -> pr.read(p -> pool(p, e.key(), ctx.at(e.keyNode()))))
                    .filter(p -> name.isPresent())
                    .ifPresent(p -> pools.put(p.name(), p));
        }
        return pools;
    }

    private PoolConfig pool(MapReader r, String name, Location at) {
        Balance balance = r.optional("balance", Scalars.enumOf(Balance.class, "balance"), Balance.ROUND_ROBIN);
        HashOn hashOn = r.node("hash_on").map(n -> hashOn(r, n)).orElse(HashOn.SOURCE);
        if (r.has("hash_on") && balance != Balance.CONSISTENT_HASH) {
            r.errorAtKey("hash_on", "'hash_on' applies only to balance: consistent_hash, not " + balance.key()
                    + (r.has("balance") ? "" : " (the default)")
                    + (balance == Balance.SOURCE_HASH ? "; source_hash always hashes the client address" : ""));
        }
        Optional<StickyConfig> sticky = r.section("sticky", "sticky", this::sticky);
        Optional<HealthCheckConfig> health = r.section("health_check", "health_check",
                h -> healthCheck(h, r.given("tls")));
        Map<String, Location> seen = new HashMap<>();
        List<ServerConfig> servers = r.sections("servers", "server", (sr, i) -> server(sr, seen));
        if (r.require("servers")) {
            r.node("servers").filter(n -> n instanceof SequenceNode s && s.getValue().isEmpty())
                    .ifPresent(n -> ctx.error(n, r.path("servers"),
                            "pool '" + name + "' has no servers; expected at least one {name, address}"));
        }
        return new PoolConfig(name, balance, sticky, health, servers, at, upstream(r), hashOn, failurePolicy(r));
    }

    private UpstreamConfig upstream(MapReader r) {
        Duration connect = r.optional("connect_timeout", Scalars.positiveDuration(),
                UpstreamConfig.DEFAULT_CONNECT_TIMEOUT);
        Duration idle = r.optional("idle_timeout", Scalars.positiveDuration(), UpstreamConfig.DEFAULT_IDLE_TIMEOUT);
        int maxIdle = r.optional("max_idle", Scalars.integer(0, UpstreamConfig.MAX_MAX_IDLE),
                UpstreamConfig.DEFAULT_MAX_IDLE);
        Optional<String> host = r.optional("host_header", NetValues.hostHeader());
        int maxPending = r.optional("max_pending", Scalars.integer(0, UpstreamConfig.MAX_MAX_PENDING),
                UpstreamConfig.DEFAULT_MAX_PENDING);
        Duration queueTimeout = r.optional("queue_timeout", Scalars.positiveDuration(),
                UpstreamConfig.DEFAULT_QUEUE_TIMEOUT);
        Optional<UpstreamTls> tls = r.section("tls", "upstream_tls", tr -> new UpstreamTls(
                tr.optional("ca", files.readableFile("CA bundle")),
                tr.optional("sni", NetValues.hostPattern("sni")),
                tr.optional("verify", Scalars.bool(), true)));
        Http2Reader.Upstream speaks = http2.upstream(r);
        return new UpstreamConfig(connect, idle, maxIdle, host, maxPending, queueTimeout, tls, speaks.protocol(),
                speaks.settings());
    }

    /** {@code hash_on: source}, {@code hash_on: {header: NAME}} or {@code hash_on: {cookie: NAME}}. */
    private HashOn hashOn(MapReader pool, Node value) {
        if (value instanceof MappingNode) {
            return MapReader.of(ctx, "hash_on", value, pool.path("hash_on"))
                    .map(r -> r.read(this::hashOnKey)).orElse(HashOn.SOURCE);
        }
        return pool.parse(value, pool.path("hash_on"), node -> {
            String t = Scalars.text(node, HASH_ON_EXPECTED);
            if (!t.equals("source")) {
                throw new Invalid("unknown hash_on '" + t + "'; expected " + HASH_ON_EXPECTED);
            }
            return HashOn.SOURCE;
        }).orElse(HashOn.SOURCE);
    }

    private HashOn hashOnKey(MapReader r) {
        Optional<String> header = r.optional("header", HttpValues.headerName());
        Optional<String> cookie = r.optional("cookie", HttpValues.cookieName());
        if (r.has("header") && r.has("cookie")) {
            Node h = r.keyNode("header").orElseThrow();
            Node c = r.keyNode("cookie").orElseThrow();
            String second = h.getStartMark().getIndex() > c.getStartMark().getIndex() ? "header" : "cookie";
            r.errorAtKey(second, "give either 'header' or 'cookie' to hash on, not both");
        } else if (r.node().getValue().isEmpty()) {
            r.error("expected one of {header: NAME} or {cookie: NAME}");
        }
        // Unknown keys (e.g. a misspelt 'header') are reported when the reader finishes.
        if (header.isPresent()) {
            return new HashOn.Header(header.get());
        }
        return cookie.<HashOn>map(HashOn.Cookie::new).orElse(HashOn.SOURCE);
    }

    private StickyConfig sticky(MapReader r) {
        Optional<String> cookie = r.required("cookie", HttpValues.cookieName());
        StickyConfig.Mode mode = r.optional("mode", Scalars.enumOf(StickyConfig.Mode.class, "sticky mode"),
                StickyConfig.Mode.INSERT);
        Optional<Duration> ttl = r.optional("ttl", Scalars.positiveDuration());
        boolean secure = r.optional("secure", Scalars.bool(), false);
        boolean httpOnly = r.optional("http_only", Scalars.bool(), true);
        Optional<StickyConfig.SameSite> sameSite = r.optional("same_site",
                Scalars.enumOf(StickyConfig.SameSite.class, "same_site"));
        if (sameSite.filter(s -> s == StickyConfig.SameSite.NONE).isPresent() && !secure) {
            r.errorAtKey("same_site", "same_site: none needs secure: true (browsers refuse it otherwise)");
        }
        Optional<String> domain = r.optional("domain", NetValues.hostPattern("domain"));
        String path = r.optional("path", HttpValues.urlPath("path"), "/");
        Optional<Path> keyFile = r.optional("key_file", files.secretFile("sticky key file", 16));
        return cookie.map(name -> new StickyConfig(name, mode, ttl, secure, httpOnly, sameSite, domain, path,
                keyFile)).orElse(null);
    }

    private ServerConfig server(MapReader r, Map<String, Location> seen) {
        Optional<String> name = r.required("name", Scalars.name("server"));
        name.ifPresent(n -> refs.unique(seen, n, r, "server", "a pool"));
        Optional<Endpoint> address = r.required("address", NetValues.endpoint(false));
        int weight = r.optional("weight", Scalars.integer(1, 1000), ServerConfig.DEFAULT_WEIGHT);
        int maxConnections = r.optional("max_connections", Scalars.integer(0, Integer.MAX_VALUE), 0);
        if (name.isEmpty() || address.isEmpty()) {
            return null;
        }
        return new ServerConfig(name.get(), address.get(), weight, maxConnections, r.location());
    }

    /** @param poolTls whether the pool has {@code tls}: a grpc check then uses TLS too */
    private HealthCheckConfig healthCheck(MapReader r, boolean poolTls) {
        HealthCheckType type = r.optional("type", Scalars.enumOf(HealthCheckType.class, "health check type"),
                HealthCheckType.TCP);
        boolean http = type == HealthCheckType.HTTP || type == HealthCheckType.HTTPS;
        boolean grpc = type == HealthCheckType.GRPC;
        boolean tls = type == HealthCheckType.TLS || type == HealthCheckType.HTTPS;
        Optional<String> path = r.optional("path", HttpValues.urlPath("path"));
        String method = r.optional("method", HttpValues.httpMethod(), HealthCheckConfig.DEFAULT_METHOD);
        Optional<String> host = r.optional("host", NetValues.hostHeader());
        List<StatusRange> expectStatus = r.oneOrList("expect_status", HttpValues.statusRange());
        Optional<String> expectBody = r.optional("expect_body", Scalars.string("text the body must contain"));
        for (String k : List.of("path", "method", "host", "expect_status", "expect_body")) {
            if (!http && r.has(k)) {
                r.errorAtKey(k, "'" + k + "' applies only to health checks of type http or https, not "
                        + type.key());
            }
        }
        Optional<String> sni = r.optional("sni", NetValues.hostPattern("sni"));
        if (grpc && !poolTls && r.has("sni")) {
            r.errorAtKey("sni", "'sni' applies to a grpc health check only on a pool with tls; without it the"
                    + " check is plain HTTP/2 (h2c)");
        } else if (!tls && !grpc && r.has("sni")) {
            r.errorAtKey("sni", "'sni' applies only to health checks of type tls, https or grpc, not " + type.key());
        }
        String service = r.optional("service", Scalars.anyText(), HealthCheckConfig.DEFAULT_SERVICE);
        if (!grpc && r.has("service")) {
            r.errorAtKey("service", "'service' applies only to health checks of type grpc, not " + type.key());
        }
        Duration interval = r.optional("interval", Scalars.positiveDuration(), HealthCheckConfig.DEFAULT_INTERVAL);
        Duration timeout = r.optional("timeout", Scalars.positiveDuration(), HealthCheckConfig.DEFAULT_TIMEOUT);
        Duration jitter = r.optional("jitter", Scalars.duration(), Duration.ZERO);
        int rise = r.optional("rise", Scalars.integer(1, 1000), HealthCheckConfig.DEFAULT_RISE);
        int fall = r.optional("fall", Scalars.integer(1, 1000), HealthCheckConfig.DEFAULT_FALL);
        boolean initialUp = r.optional("initial", Scalars.enumOf(InitialState.class, "initial state"),
                InitialState.UP) == InitialState.UP;
        if (timeout.compareTo(interval) >= 0) {
            Node at = r.node("timeout").or(() -> r.node("interval")).orElse(r.node());
            ctx.error(at, r.path("timeout"), "timeout " + Durations.format(timeout)
                    + " must be shorter than interval " + Durations.format(interval));
        }
        return new HealthCheckConfig(type, path.orElse(HealthCheckConfig.DEFAULT_PATH), interval, timeout, rise, fall,
                method, host, expectStatus.isEmpty() ? HealthCheckConfig.DEFAULT_EXPECT_STATUS : expectStatus,
                expectBody, jitter, initialUp, sni, service);
    }

    /** {@code initial} of a health check. */
    enum InitialState {
        UP, DOWN;
    }

    private FailurePolicy failurePolicy(MapReader r) {
        Duration slowStart = r.optional("slow_start", Scalars.duration(), Duration.ZERO);
        AllDown allDown = r.optional("when_all_down", Scalars.enumOf(AllDown.class, "when_all_down"), AllDown.FAIL);
        OutlierDetection outlier = r.section("outlier_detection", "outlier_detection", this::outlierDetection)
                .orElse(OutlierDetection.DEFAULTS);
        return new FailurePolicy(slowStart, allDown == AllDown.PANIC, outlier);
    }

    /** {@code when_all_down} of a pool. */
    enum AllDown {
        FAIL, PANIC;
    }

    private OutlierDetection outlierDetection(MapReader r) {
        OutlierDetection d = OutlierDetection.DEFAULTS;
        Duration base = r.optional("base_ejection", Scalars.positiveDuration(), d.baseEjection());
        Duration max = r.optional("max_ejection", Scalars.positiveDuration(), d.maxEjection());
        if (max.compareTo(base) < 0) {
            Node at = r.node("max_ejection").or(() -> r.node("base_ejection")).orElse(r.node());
            ctx.error(at, r.path("max_ejection"), "max_ejection " + Durations.format(max)
                    + " must not be shorter than base_ejection " + Durations.format(base));
        }
        return new OutlierDetection(
                r.optional("consecutive_failures", Scalars.integer(0, 1000), d.consecutiveFailures()),
                r.optional("consecutive_5xx", Scalars.integer(0, 1000), d.consecutive5xx()),
                base, max,
                r.optional("max_ejected_percent", Scalars.integer(0, 100), d.maxEjectedPercent()));
    }
}
