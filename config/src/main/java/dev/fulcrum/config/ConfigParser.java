package dev.fulcrum.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Walks a composed YAML document into a {@link FulcrumConfig}, collecting every error.
 * One instance per parse. The section names given to {@link MapReader} are the {@code $defs}
 * names of the JSON schema (the root is "fulcrum"): a test keeps the two in step.
 */
final class ConfigParser {

    static final String ROOT = "fulcrum";
    private static final String HASH_ON_EXPECTED = "'source' or a mapping {header: NAME} or {cookie: NAME}";
    private static final List<String> HTTP_MATCH_KEYS =
            List.of("host", "path", "path_prefix", "path_regex", "method", "headers", "query", "cookie");

    private final ParseContext ctx;
    private final Set<String> poolNames = new LinkedHashSet<>();
    private final Set<String> certificateNames = new LinkedHashSet<>();
    /** The pools parsed so far, for checks that listeners make on the pools they use. */
    private Map<String, PoolConfig> pools = Map.of();
    private final List<Bind> binds = new ArrayList<>();

    /** A socket some part of the configuration listens on, for the conflict check. */
    private record Bind(Endpoint endpoint, Location location, String path, String owner) {
    }

    ConfigParser(ParseContext ctx) {
        this.ctx = ctx;
    }

    /** The configuration, or null when errors were recorded. */
    FulcrumConfig parse(Node root) {
        if (!(root instanceof MappingNode)) {
            ctx.error(root, "", "expected a mapping with at least 'listeners', got " + Values.describe(root));
            return null;
        }
        FulcrumConfig config = MapReader.of(ctx, ROOT, root, "").map(r -> r.read(this::root)).orElse(null);
        return ctx.hasErrors() ? null : config;
    }

    private FulcrumConfig root(MapReader r) {
        // Names first: listeners refer to pools and certificates wherever they are written.
        List<MapReader.Entry> poolEntries = r.entries("pools", "a mapping of pool names to pools");
        poolEntries.forEach(e -> poolNames.add(e.key()));
        Optional<Integer> workers = r.optional("workers", Values.integer(1, 4096));
        AdminConfig admin = r.section("admin", "admin", this::admin).orElse(AdminConfig.defaults());
        if (binds.isEmpty()) {
            binds.add(new Bind(admin.bind(), null, "admin.bind",
                    "the admin listener (default bind " + admin.bind() + ")"));
        }
        List<CertificateConfig> certificates = certificates(r);
        Map<String, PoolConfig> pools = pools(r, poolEntries);
        this.pools = pools;
        List<ListenerConfig> listeners = listeners(r);
        Optional<HaConfig> ha = r.section("ha", "ha", this::ha);

        checkBindConflicts(binds);
        return new FulcrumConfig(ctx.source(), workers, admin, certificates, listeners, pools, ha);
    }

    // ---- admin, certificates -------------------------------------------------------------------

    private AdminConfig admin(MapReader r) {
        Optional<Endpoint> bind = r.optional("bind", Values.endpoint(true));
        bind.ifPresent(b -> binds.add(new Bind(b, ctx.at(r.node("bind").orElseThrow()), r.path("bind"),
                "the admin listener")));
        Optional<Path> token = r.optional("token_file", Values.readableFile(ctx.baseDir(), "token file"));
        return new AdminConfig(bind.orElse(AdminConfig.DEFAULT_BIND), token);
    }

    private List<CertificateConfig> certificates(MapReader r) {
        Map<String, Location> seen = new HashMap<>();
        return r.sections("certificates", "certificate", (cr, i) -> {
            Optional<String> name = cr.required("name", Values.name("certificate"));
            name.ifPresent(n -> {
                certificateNames.add(n);
                unique(seen, n, cr, "certificate", null);
            });
            Optional<Path> cert = cr.required("cert", Values.readableFile(ctx.baseDir(), "certificate file"));
            Optional<Path> key = cr.required("key", Values.readableFile(ctx.baseDir(), "private key file"));
            Optional<Path> passphrase = cr.optional("passphrase_file",
                    Values.readableFile(ctx.baseDir(), "passphrase file"));
            Optional<Path> ocsp = cr.optional("ocsp_response", Values.readableFile(ctx.baseDir(), "OCSP response file"));
            if (name.isEmpty() || cert.isEmpty() || key.isEmpty()) {
                return null;
            }
            return new CertificateConfig(name.get(), cert.get(), key.get(), cr.location(), passphrase, ocsp);
        });
    }

    // ---- pools -----------------------------------------------------------------------------------

    private Map<String, PoolConfig> pools(MapReader r, List<MapReader.Entry> entries) {
        Map<String, PoolConfig> pools = new LinkedHashMap<>();
        for (MapReader.Entry e : entries) {
            Optional<String> name = r.parse(e.keyNode(), e.path(), Values.name("pool"));
            MapReader.of(ctx, "pool", e.valueNode(), e.path())
                    .map(pr -> pr.read(p -> pool(p, e.key(), ctx.at(e.keyNode()))))
                    .filter(p -> name.isPresent())
                    .ifPresent(p -> pools.put(p.name(), p));
        }
        return pools;
    }

    private PoolConfig pool(MapReader r, String name, Location at) {
        Balance balance = r.optional("balance", Values.enumOf(Balance.class, "balance"), Balance.ROUND_ROBIN);
        HashOn hashOn = r.node("hash_on").map(n -> hashOn(r, n)).orElse(HashOn.SOURCE);
        if (r.has("hash_on") && balance != Balance.CONSISTENT_HASH) {
            r.errorAtKey("hash_on", "'hash_on' applies only to balance: consistent_hash, not " + balance.key()
                    + (r.has("balance") ? "" : " (the default)")
                    + (balance == Balance.SOURCE_HASH ? "; source_hash always hashes the client address" : ""));
        }
        Optional<StickyConfig> sticky = r.section("sticky", "sticky", this::sticky);
        Optional<HealthCheckConfig> health = r.section("health_check", "health_check", this::healthCheck);
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
        Duration connect = r.optional("connect_timeout", Values.positiveDuration(),
                UpstreamConfig.DEFAULT_CONNECT_TIMEOUT);
        Duration idle = r.optional("idle_timeout", Values.positiveDuration(), UpstreamConfig.DEFAULT_IDLE_TIMEOUT);
        int maxIdle = r.optional("max_idle", Values.integer(0, UpstreamConfig.MAX_MAX_IDLE),
                UpstreamConfig.DEFAULT_MAX_IDLE);
        Optional<String> host = r.optional("host_header", Values.hostHeader());
        int maxPending = r.optional("max_pending", Values.integer(0, UpstreamConfig.MAX_MAX_PENDING),
                UpstreamConfig.DEFAULT_MAX_PENDING);
        Duration queueTimeout = r.optional("queue_timeout", Values.positiveDuration(),
                UpstreamConfig.DEFAULT_QUEUE_TIMEOUT);
        Optional<UpstreamTls> tls = r.section("tls", "upstream_tls", tr -> new UpstreamTls(
                tr.optional("ca", Values.readableFile(ctx.baseDir(), "CA bundle")),
                tr.optional("sni", Values.hostPattern("sni")),
                tr.optional("verify", Values.bool(), true)));
        return new UpstreamConfig(connect, idle, maxIdle, host, maxPending, queueTimeout, tls);
    }

    /** {@code hash_on: source}, {@code hash_on: {header: NAME}} or {@code hash_on: {cookie: NAME}}. */
    private HashOn hashOn(MapReader pool, Node value) {
        if (value instanceof MappingNode) {
            return MapReader.of(ctx, "hash_on", value, pool.path("hash_on"))
                    .map(r -> r.read(this::hashOnKey)).orElse(HashOn.SOURCE);
        }
        return pool.parse(value, pool.path("hash_on"), node -> {
            String t = Values.text(node, HASH_ON_EXPECTED);
            if (!t.equals("source")) {
                throw new Invalid("unknown hash_on '" + t + "'; expected " + HASH_ON_EXPECTED);
            }
            return HashOn.SOURCE;
        }).orElse(HashOn.SOURCE);
    }

    private StickyConfig sticky(MapReader r) {
        Optional<String> cookie = r.required("cookie", Values.cookieName());
        StickyConfig.Mode mode = r.optional("mode", Values.enumOf(StickyConfig.Mode.class, "sticky mode"),
                StickyConfig.Mode.INSERT);
        Optional<Duration> ttl = r.optional("ttl", Values.positiveDuration());
        boolean secure = r.optional("secure", Values.bool(), false);
        boolean httpOnly = r.optional("http_only", Values.bool(), true);
        Optional<StickyConfig.SameSite> sameSite = r.optional("same_site",
                Values.enumOf(StickyConfig.SameSite.class, "same_site"));
        if (sameSite.filter(s -> s == StickyConfig.SameSite.NONE).isPresent() && !secure) {
            r.errorAtKey("same_site", "same_site: none needs secure: true (browsers refuse it otherwise)");
        }
        Optional<String> domain = r.optional("domain", Values.hostPattern("domain"));
        String path = r.optional("path", Values.urlPath("path"), "/");
        Optional<Path> keyFile = r.optional("key_file", Values.secretFile(ctx.baseDir(), "sticky key file", 16));
        return cookie.map(name -> new StickyConfig(name, mode, ttl, secure, httpOnly, sameSite, domain, path,
                keyFile)).orElse(null);
    }

    private HashOn hashOnKey(MapReader r) {
        Optional<String> header = r.optional("header", Values.headerName());
        Optional<String> cookie = r.optional("cookie", Values.cookieName());
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

    private ServerConfig server(MapReader r, Map<String, Location> seen) {
        Optional<String> name = r.required("name", Values.name("server"));
        name.ifPresent(n -> unique(seen, n, r, "server", "a pool"));
        Optional<Endpoint> address = r.required("address", Values.endpoint(false));
        int weight = r.optional("weight", Values.integer(1, 1000), ServerConfig.DEFAULT_WEIGHT);
        int maxConnections = r.optional("max_connections", Values.integer(0, Integer.MAX_VALUE), 0);
        if (name.isEmpty() || address.isEmpty()) {
            return null;
        }
        return new ServerConfig(name.get(), address.get(), weight, maxConnections, r.location());
    }

    private HealthCheckConfig healthCheck(MapReader r) {
        HealthCheckType type = r.optional("type", Values.enumOf(HealthCheckType.class, "health check type"),
                HealthCheckType.TCP);
        boolean http = type == HealthCheckType.HTTP || type == HealthCheckType.HTTPS;
        boolean tls = type == HealthCheckType.TLS || type == HealthCheckType.HTTPS;
        Optional<String> path = r.optional("path", Values.urlPath("path"));
        String method = r.optional("method", Values.httpMethod(), HealthCheckConfig.DEFAULT_METHOD);
        Optional<String> host = r.optional("host", Values.hostHeader());
        List<StatusRange> expectStatus = r.oneOrList("expect_status", Values.statusRange());
        Optional<String> expectBody = r.optional("expect_body", Values.string("text the body must contain"));
        for (String k : List.of("path", "method", "host", "expect_status", "expect_body")) {
            if (!http && r.has(k)) {
                r.errorAtKey(k, "'" + k + "' applies only to health checks of type http or https, not "
                        + type.key());
            }
        }
        Optional<String> sni = r.optional("sni", Values.hostPattern("sni"));
        if (!tls && r.has("sni")) {
            r.errorAtKey("sni", "'sni' applies only to health checks of type tls or https, not " + type.key());
        }
        Duration interval = r.optional("interval", Values.positiveDuration(), HealthCheckConfig.DEFAULT_INTERVAL);
        Duration timeout = r.optional("timeout", Values.positiveDuration(), HealthCheckConfig.DEFAULT_TIMEOUT);
        Duration jitter = r.optional("jitter", Values.duration(), Duration.ZERO);
        int rise = r.optional("rise", Values.integer(1, 1000), HealthCheckConfig.DEFAULT_RISE);
        int fall = r.optional("fall", Values.integer(1, 1000), HealthCheckConfig.DEFAULT_FALL);
        boolean initialUp = r.optional("initial", Values.enumOf(InitialState.class, "initial state"),
                InitialState.UP) == InitialState.UP;
        if (timeout.compareTo(interval) >= 0) {
            Node at = r.node("timeout").or(() -> r.node("interval")).orElse(r.node());
            ctx.error(at, r.path("timeout"), "timeout " + Durations.format(timeout)
                    + " must be shorter than interval " + Durations.format(interval));
        }
        return new HealthCheckConfig(type, path.orElse(HealthCheckConfig.DEFAULT_PATH), interval, timeout, rise, fall,
                method, host, expectStatus.isEmpty() ? HealthCheckConfig.DEFAULT_EXPECT_STATUS : expectStatus,
                expectBody, jitter, initialUp, sni);
    }

    /** {@code initial} of a health check. */
    enum InitialState {
        UP, DOWN;
    }

    private FailurePolicy failurePolicy(MapReader r) {
        Duration slowStart = r.optional("slow_start", Values.duration(), Duration.ZERO);
        AllDown allDown = r.optional("when_all_down", Values.enumOf(AllDown.class, "when_all_down"), AllDown.FAIL);
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
        Duration base = r.optional("base_ejection", Values.positiveDuration(), d.baseEjection());
        Duration max = r.optional("max_ejection", Values.positiveDuration(), d.maxEjection());
        if (max.compareTo(base) < 0) {
            Node at = r.node("max_ejection").or(() -> r.node("base_ejection")).orElse(r.node());
            ctx.error(at, r.path("max_ejection"), "max_ejection " + Durations.format(max)
                    + " must not be shorter than base_ejection " + Durations.format(base));
        }
        return new OutlierDetection(
                r.optional("consecutive_failures", Values.integer(0, 1000), d.consecutiveFailures()),
                r.optional("consecutive_5xx", Values.integer(0, 1000), d.consecutive5xx()),
                base, max,
                r.optional("max_ejected_percent", Values.integer(0, 100), d.maxEjectedPercent()));
    }

    // ---- listeners -------------------------------------------------------------------------------

    private static final List<String> TCP_ONLY_KEYS =
            List.of("proxy_protocol", "idle_timeout", "splice", "accept_proxy_protocol");

    private List<ListenerConfig> listeners(MapReader r) {
        if (!r.require("listeners")) {
            return List.of();
        }
        r.node("listeners").filter(n -> n instanceof SequenceNode s && s.getValue().isEmpty())
                .ifPresent(n -> ctx.error(n, "listeners", "expected at least one listener"));
        Map<String, Location> seen = new HashMap<>();
        return r.sections("listeners", "listener", (lr, i) -> listener(lr, seen));
    }

    private ListenerConfig listener(MapReader r, Map<String, Location> seen) {
        Optional<String> name = r.required("name", Values.name("listener"));
        name.ifPresent(n -> unique(seen, n, r, "listener", null));
        Optional<Endpoint> bind = r.required("bind", Values.endpoint(true));
        bind.ifPresent(b -> binds.add(new Bind(b, ctx.at(r.node("bind").orElseThrow()), r.path("bind"),
                "listener '" + name.orElse(r.path()) + "'")));
        Optional<Protocol> protocol = r.required("protocol", Values.enumOf(Protocol.class, "protocol"));
        List<String> certificates = r.list("certificates", certificateRef());
        Optional<String> pool = r.optional("pool", poolRef());
        pool.ifPresent(p -> checkHashKeyVisible(r, p, protocol));
        ProxyProtocol proxy = r.optional("proxy_protocol", Values.enumOf(ProxyProtocol.class, "proxy_protocol"),
                ProxyProtocol.NONE);
        Map<String, Location> routeNames = new HashMap<>();
        List<RouteConfig> routes = r.sections("routes", "route", (rr, i) -> route(rr, i, protocol, routeNames));
        ForwardingConfig forwarding = r.section("forwarding", "forwarding", this::forwarding)
                .orElse(ForwardingConfig.DEFAULTS);
        Optional<AccessLogConfig> accessLog = r.section("access_log", "access_log", this::accessLog);
        HttpEdgeConfig edge = httpEdge(r);
        int maxConnections = r.optional("max_connections", Values.integer(0, Integer.MAX_VALUE), 0);
        TcpOptions tcp = tcpOptions(r);
        ListenerTls tls = r.section("tls", "listener_tls", this::listenerTls).orElse(ListenerTls.DEFAULTS);

        protocol.ifPresent(p -> checkListenerShape(r, p));
        if (name.isEmpty() || bind.isEmpty() || protocol.isEmpty()) {
            return null;
        }
        return new ListenerConfig(name.get(), bind.get(), protocol.get(), routes, pool, certificates, proxy,
                r.location(), edge, forwarding, accessLog, maxConnections, tcp, tls);
    }

    private ListenerTls listenerTls(MapReader r) {
        ListenerTls d = ListenerTls.DEFAULTS;
        List<String> protocols = r.list("protocols", Values.tlsProtocol());
        return new ListenerTls(
                protocols.isEmpty() ? d.protocols() : protocols,
                r.list("ciphers", Values.string("a cipher suite name")),
                r.optional("client_ca", Values.readableFile(ctx.baseDir(), "client CA bundle")),
                r.optional("client_auth", Values.enumOf(ListenerTls.ClientAuth.class, "client_auth"),
                        r.has("client_ca") ? ListenerTls.ClientAuth.REQUIRE : ListenerTls.ClientAuth.NONE),
                r.optional("client_cert_header", Values.headerName(), d.clientCertHeader()),
                r.optional("session_ticket_rotation", Values.positiveDuration(), d.ticketKeyRotation()),
                r.optional("session_ticket_key_file", Values.secretFile(ctx.baseDir(), "session ticket key file", 32)));
    }

    private TcpOptions tcpOptions(MapReader r) {
        TcpOptions d = TcpOptions.DEFAULTS;
        return new TcpOptions(
                r.optional("idle_timeout", Values.positiveDuration(), d.idleTimeout()),
                r.optional("splice", Values.bool(), d.splice()),
                r.list("accept_proxy_protocol", Values.subnet()),
                r.optional("drain_timeout", Values.positiveDuration(), d.drainTimeout()));
    }

    private AccessLogConfig accessLog(MapReader r) {
        return new AccessLogConfig(
                r.optional("format", Values.enumOf(AccessLogConfig.Format.class, "access log format"),
                        AccessLogConfig.Format.COMBINED),
                r.optional("path", Values.appendableFile(ctx.baseDir(), "access log"), Optional.empty()));
    }

    private ForwardingConfig forwarding(MapReader r) {
        ForwardingConfig d = ForwardingConfig.DEFAULTS;
        return new ForwardingConfig(
                r.list("trusted_proxies", Values.subnet()),
                r.optional("x_forwarded", Values.bool(), d.xForwarded()),
                r.optional("forwarded", Values.bool(), d.forwarded()),
                r.optional("via", Values.bool(), d.via()));
    }

    private HttpEdgeConfig httpEdge(MapReader r) {
        ListenerTimeouts timeouts = r.section("timeouts", "listener_timeouts", this::listenerTimeouts)
                .orElse(ListenerTimeouts.DEFAULTS);
        ListenerLimits limits = r.section("limits", "listener_limits", this::listenerLimits)
                .orElse(ListenerLimits.DEFAULTS);
        return new HttpEdgeConfig(timeouts, limits);
    }

    private ListenerTimeouts listenerTimeouts(MapReader r) {
        return new ListenerTimeouts(
                r.optional("request_header", Values.positiveDuration(), ListenerTimeouts.DEFAULT_REQUEST_HEADER),
                r.optional("request_body", Values.positiveDuration(), ListenerTimeouts.DEFAULT_REQUEST_BODY),
                r.optional("client_idle", Values.positiveDuration(), ListenerTimeouts.DEFAULT_CLIENT_IDLE));
    }

    private ListenerLimits listenerLimits(MapReader r) {
        return new ListenerLimits(
                r.optional("request_line", Values.size(ListenerLimits.MIN_REQUEST_LINE, ListenerLimits.MAX_REQUEST_LINE),
                        ListenerLimits.DEFAULT_REQUEST_LINE),
                r.optional("header_block", Values.size(ListenerLimits.MIN_HEADER_BLOCK, ListenerLimits.MAX_HEADER_BLOCK),
                        ListenerLimits.DEFAULT_HEADER_BLOCK),
                r.optional("headers", Values.integer(1, ListenerLimits.MAX_HEADERS), ListenerLimits.DEFAULT_HEADERS),
                r.optional("request_body", Values.sizeOrUnlimited(), ListenerLimits.DEFAULT_REQUEST_BODY));
    }

    /** The combinations of keys that depend on the protocol. */
    private void checkListenerShape(MapReader r, Protocol p) {
        String kind = p.key();
        if (p.isHttp()) {
            if (r.has("pool")) {
                r.errorAtKey("pool", "an " + kind + " listener routes each request: write routes: [{pool: "
                        + r.node("pool").map(this::plain).orElse("NAME") + "}] instead of pool");
            }
            if (!r.has("routes")) {
                r.error("an " + kind + " listener needs 'routes' (first match wins; e.g. routes: [{pool: web}])");
            }
            for (String k : TCP_ONLY_KEYS) {
                if (r.has(k)) {
                    r.errorAtKey(k, "'" + k + "' applies only to tcp and tls listeners");
                }
            }
        } else {
            if (!r.has("pool") && !r.has("routes")) {
                r.error("a " + kind + " listener needs a 'pool' (or 'routes' matching on sni)");
            }
            if (r.has("forwarding")) {
                r.errorAtKey("forwarding", "'forwarding' applies only to http and https listeners; a " + kind
                        + " listener passes bytes through (use proxy_protocol to tell backends the client address)");
            }
            if (r.has("access_log")) {
                r.errorAtKey("access_log", "'access_log' applies only to http and https listeners for now");
            }
            for (String k : List.of("timeouts", "limits")) {
                if (r.has(k)) {
                    r.errorAtKey(k, "'" + k + "' applies only to http and https listeners, not " + kind);
                }
            }
        }
        r.node("routes").filter(n -> n instanceof SequenceNode s && s.getValue().isEmpty())
                .ifPresent(n -> ctx.error(n, r.path("routes"), "expected at least one route"));
        boolean tls = p == Protocol.HTTPS || p == Protocol.TLS;
        if (!tls && r.has("tls")) {
            r.errorAtKey("tls", "'tls' applies only to https and tls listeners, not " + kind);
        }
        if (p == Protocol.TLS && r.node("tls").map(n -> n instanceof MappingNode m && m.getValue().stream()
                .anyMatch(t -> t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("client_cert_header")))
                .orElse(false)) {
            r.errorAtKey("tls", "'client_cert_header' applies only to https listeners: a tls listener forwards bytes");
        }
        if (tls && !r.has("certificates")) {
            r.error("a" + (p == Protocol.HTTPS ? "n " : " ") + kind + " listener needs 'certificates'"
                    + " naming entries of the top-level certificates list");
        } else if (tls) {
            r.node("certificates").filter(n -> n instanceof SequenceNode s && s.getValue().isEmpty())
                    .ifPresent(n -> ctx.error(n, r.path("certificates"), "expected at least one certificate name"));
        } else if (r.has("certificates")) {
            r.errorAtKey("certificates", "certificates apply only to https and tls listeners, not " + kind
                    + " (use protocol: " + (p.isHttp() ? "https" : "tls") + " to terminate TLS)");
        }
    }

    private RouteConfig route(MapReader r, int index, Optional<Protocol> protocol, Map<String, Location> seen) {
        String name = r.optional("name", Values.name("route"), "route-" + (index + 1));
        unique(seen, name, r, "route", "a listener");
        MatchConfig match = r.section("match", "match", m -> match(m, protocol)).orElse(MatchConfig.ANY);
        Optional<String> pool = r.optional("pool", poolRef());
        pool.ifPresent(p -> checkHashKeyVisible(r, p, protocol));
        RoutePolicy policy = routePolicy(r, protocol);
        RouteActions actions = routeActions(r, protocol);
        Optional<LocalReply> reply = localReply(r, protocol);
        int targets = (r.has("pool") ? 1 : 0) + (r.has("redirect") ? 1 : 0) + (r.has("respond") ? 1 : 0);
        if (targets == 0) {
            r.require("pool");
        } else if (targets > 1) {
            r.error("a route has exactly one of 'pool', 'redirect' and 'respond'");
        }
        if (targets != 1 || pool.isEmpty() && reply.isEmpty()) {
            return null;
        }
        return new RouteConfig(name, match, pool, r.location(), policy, actions, reply);
    }

    private Optional<LocalReply> localReply(MapReader r, Optional<Protocol> protocol) {
        if (protocol.isPresent() && !protocol.get().isHttp()) {
            for (String k : List.of("redirect", "respond")) {
                if (r.has(k)) {
                    r.errorAtKey(k, "'" + k + "' applies only to routes of http and https listeners");
                }
            }
            return Optional.empty();
        }
        Optional<LocalReply> redirect = r.section("redirect", "redirect", rr -> new LocalReply.Redirect(
                rr.optional("status", Values.integerOf(List.of(301, 302, 303, 307, 308)), 302),
                rr.optional("scheme", Values.oneOf(List.of("http", "https"), "scheme")),
                rr.optional("host", Values.hostPattern("host").then(h -> {
                    if (h.startsWith("*.")) {
                        throw new Invalid("a redirect host cannot be a wildcard");
                    }
                    return h;
                })),
                rr.optional("port", Values.integer(1, 65535)),
                rr.optional("path", Values.urlPath("path")),
                rr.optional("strip_query", Values.bool(), false)));
        Optional<LocalReply> respond = r.section("respond", "respond", rr -> new LocalReply.Respond(
                rr.optional("status", Values.integer(200, 599), 200),
                rr.optional("body", Values.string("the response body"), ""),
                rr.optional("content_type", Values.headerValue(), "text/plain; charset=utf-8")));
        return redirect.isPresent() ? redirect : respond;
    }

    private RouteActions routeActions(MapReader r, Optional<Protocol> protocol) {
        Optional<String> strip = r.optional("strip_prefix", Values.urlPath("strip_prefix"));
        Optional<RouteActions.PathRewrite> rewrite = r.section("rewrite_path", "rewrite_path", rr -> {
            Optional<String> regex = rr.required("regex", Values.regex());
            Optional<String> to = rr.required("replacement", Values.string("the replacement path"));
            return regex.isPresent() && to.isPresent() ? new RouteActions.PathRewrite(regex.get(), to.get()) : null;
        });
        if (r.has("strip_prefix") && r.has("rewrite_path")) {
            r.errorAtKey("rewrite_path", "use either strip_prefix or rewrite_path on a route, not both");
        }
        HeaderActions request = r.section("request_headers", "header_actions", this::headerActions)
                .orElse(HeaderActions.NONE);
        HeaderActions response = r.section("response_headers", "header_actions", this::headerActions)
                .orElse(HeaderActions.NONE);
        if (protocol.isPresent() && !protocol.get().isHttp()) {
            for (String key : List.of("strip_prefix", "rewrite_path", "request_headers", "response_headers")) {
                if (r.has(key)) {
                    r.errorAtKey(key, "'" + key + "' applies only to routes of http and https listeners");
                }
            }
        }
        return new RouteActions(strip, rewrite, request, response);
    }

    private HeaderActions headerActions(MapReader r) {
        return new HeaderActions(
                r.stringMap("add", Values.headerName(), Values.headerValue()),
                r.stringMap("set", Values.headerName(), Values.headerValue()),
                r.list("remove", Values.headerName()));
    }

    private RoutePolicy routePolicy(MapReader r, Optional<Protocol> protocol) {
        Duration response = r.section("timeouts", "route_timeouts",
                        tr -> tr.optional("response", Values.positiveDuration(), RoutePolicy.DEFAULT_RESPONSE_TIMEOUT))
                .orElse(RoutePolicy.DEFAULT_RESPONSE_TIMEOUT);
        Optional<RouteLimits> limits = r.section("limits", "route_limits", lr -> new RouteLimits(
                lr.optional("request_body", Values.sizeOrUnlimited()),
                lr.optional("concurrent_requests", Values.integer(0, Integer.MAX_VALUE), 0)));
        Optional<Long> body = limits.flatMap(RouteLimits::requestBody);
        int concurrent = limits.map(RouteLimits::concurrentRequests).orElse(0);
        int retries = r.optional("retries", Values.integer(0, RoutePolicy.MAX_RETRIES), RoutePolicy.DEFAULT_RETRIES);
        protocol.filter(p -> !p.isHttp()).ifPresent(p -> {
            for (String k : List.of("timeouts", "limits", "retries")) {
                if (r.has(k)) {
                    r.errorAtKey(k, "'" + k + "' on a route applies only to http and https listeners, not " + p.key());
                }
            }
        });
        return new RoutePolicy(response, body, retries, concurrent);
    }

    /** A route's {@code limits} section. */
    private record RouteLimits(Optional<Long> requestBody, int concurrentRequests) {
    }

    private MatchConfig match(MapReader r, Optional<Protocol> protocol) {
        Optional<String> host = r.optional("host", Values.hostPattern("host"));
        Optional<String> path = r.optional("path", Values.urlPath("path"));
        Optional<String> prefix = r.optional("path_prefix", Values.urlPath("path_prefix"));
        Optional<String> regex = r.optional("path_regex", Values.regex());
        List<String> methods = r.oneOrList("method", Values.httpMethod());
        Map<String, String> headers = r.stringMap("headers", Values.headerName(), anyText());
        Map<String, String> query = r.stringMap("query", Values.string("a query parameter name"), anyText());
        Map<String, String> cookies = r.stringMap("cookie", Values.cookieName(), anyText());
        Optional<String> sni = r.optional("sni", Values.hostPattern("sni"));
        protocol.ifPresent(p -> {
            if (p.isHttp() && r.has("sni")) {
                r.errorAtKey("sni", "'sni' applies only to tcp and tls listeners; on an " + p.key()
                        + " listener match on 'host'");
            } else if (!p.isHttp()) {
                for (String k : HTTP_MATCH_KEYS) {
                    if (r.has(k)) {
                        r.errorAtKey(k, "'" + k + "' matches HTTP requests and does not apply to a " + p.key()
                                + " listener; only 'sni' does");
                    }
                }
            }
        });
        return new MatchConfig(host, path, prefix, regex, methods, headers, query, cookies, sni);
    }

    /** A tcp or tls listener sees no headers or cookies: a pool hashing on one cannot serve it. */
    private void checkHashKeyVisible(MapReader r, String poolName, Optional<Protocol> protocol) {
        PoolConfig pool = pools.get(poolName);
        if (pool == null || !pool.hashOn().needsHttp() || protocol.isEmpty() || protocol.get().isHttp()) {
            return;
        }
        ctx.error(r.node("pool").orElseThrow(), r.path("pool"), "pool '" + poolName + "' hashes on "
                + pool.hashOn().describe() + " (hash_on), which a " + protocol.get().key()
                + " listener never sees; give it hash_on: source, or use another pool");
    }

    // ---- ha --------------------------------------------------------------------------------------

    private HaConfig ha(MapReader r) {
        Optional<String> node = r.required("node", Values.name("node"));
        int priority = r.optional("priority", Values.integer(1, 255), 100);
        Optional<Endpoint> bind = r.required("bind", Values.endpoint(false));
        List<Endpoint> peers = r.list("peers", Values.endpoint(false));
        if (r.require("peers")) {
            r.node("peers").filter(n -> n instanceof SequenceNode s && s.getValue().isEmpty())
                    .ifPresent(n -> ctx.error(n, r.path("peers"), "expected at least one peer host:port"));
        }
        Duration advert = r.optional("advert_interval", Values.positiveDuration(), HaConfig.DEFAULT_ADVERT_INTERVAL);
        Optional<Path> secret = r.required("secret_file", Values.readableFile(ctx.baseDir(), "secret file"));
        List<VipConfig> vips = r.sections("vip", "vip", (vr, i) -> {
            Optional<Values.Cidr> address = vr.required("address", Values.cidr());
            Optional<String> iface = vr.required("interface", Values.interfaceName());
            return address.isPresent() && iface.isPresent()
                    ? new VipConfig(address.get().address(), address.get().prefixLength(), iface.get()) : null;
        });
        boolean preempt = r.optional("preempt", Values.bool(), true);
        Duration preemptDelay = r.optional("preempt_delay", Values.duration(), Duration.ZERO);
        Duration deadAfter = r.optional("dead_after", Values.positiveDuration(), advert.multipliedBy(3));
        if (deadAfter.compareTo(advert) <= 0) {
            r.errorAtKey("dead_after", "dead_after " + Durations.format(deadAfter)
                    + " must be longer than advert_interval " + Durations.format(advert));
        }
        Map<String, List<String>> notify = r.section("notify", "ha_notify", nr -> {
            Map<String, List<String>> commands = new LinkedHashMap<>();
            for (String state : List.of("master", "backup", "fault")) {
                List<String> command = nr.list(state, Values.string("a command argument"));
                if (!command.isEmpty()) {
                    commands.put(state, command);
                }
            }
            return commands;
        }).orElse(Map.of());
        List<String> track = r.list("track_pools", poolRef());
        Optional<TrackCommand> trackCommand = r.section("track_command", "ha_track_command", this::trackCommand);
        Optional<VipCommand> vipCommand = r.section("vip_command", "ha_vip_command", vr -> {
            List<String> acquire = vr.list("acquire", Values.string("a command argument"));
            if (vr.require("acquire") && acquire.isEmpty()) {
                vr.errorAtKey("acquire", "expected a command: a non-empty list of arguments");
            }
            return new VipCommand(acquire, vr.list("release", Values.string("a command argument")));
        });
        boolean follow = r.optional("listeners_follow_state", Values.bool(), false);
        if (node.isEmpty() || bind.isEmpty() || secret.isEmpty()) {
            return null;
        }
        return new HaConfig(node.get(), priority, bind.get(), peers, advert, secret.get(), vips, preempt, preemptDelay,
                deadAfter, notify, track, trackCommand, vipCommand, follow);
    }

    private TrackCommand trackCommand(MapReader r) {
        List<String> command = r.list("command", Values.string("a command argument"));
        if (r.require("command") && command.isEmpty()) {
            r.errorAtKey("command", "expected a command: a non-empty list of arguments");
        }
        Duration interval = r.optional("interval", Values.positiveDuration(), TrackCommand.DEFAULT_INTERVAL);
        Duration timeout = r.optional("timeout", Values.positiveDuration(), interval);
        if (timeout.compareTo(interval) > 0) {
            r.errorAtKey("timeout", "timeout " + Durations.format(timeout) + " must not be longer than interval "
                    + Durations.format(interval) + ": runs would overlap");
        }
        int fall = r.optional("fall", Values.integer(1, 100), 1);
        int rise = r.optional("rise", Values.integer(1, 100), 1);
        return new TrackCommand(command, interval, timeout, fall, rise);
    }

    // ---- cross-references and uniqueness ---------------------------------------------------------

    private ValueParser<String> poolRef() {
        return node -> {
            String n = Values.text(node, "a pool name");
            if (!poolNames.contains(n)) {
                throw new Invalid("unknown pool '" + n + "'" + known(n, poolNames, "pools"));
            }
            return n;
        };
    }

    private ValueParser<String> certificateRef() {
        return node -> {
            String n = Values.text(node, "a certificate name");
            if (!certificateNames.contains(n)) {
                throw new Invalid("unknown certificate '" + n + "'" + known(n, certificateNames, "certificates"));
            }
            return n;
        };
    }

    /** A did-you-mean hint, else the list of names that would be accepted. */
    private static String known(String name, Set<String> names, String what) {
        String hint = Suggest.hint(name, names);
        if (!hint.isEmpty()) {
            return hint;
        }
        return names.isEmpty() ? "; no " + what + " are defined" : "; defined " + what + ": " + String.join(", ", names);
    }

    private static ValueParser<String> anyText() {
        return node -> Values.text(node, "a string");
    }

    private String plain(Node n) {
        try {
            return Values.text(n, "");
        } catch (Invalid e) {
            return "NAME";
        }
    }

    /** Reports a second use of {@code name}, at the name's value when written, else at the section. */
    private void unique(Map<String, Location> seen, String name, MapReader r, String what, String scope) {
        Location here = r.node("name").map(ctx::at).orElse(r.location());
        Location first = seen.putIfAbsent(name, here);
        if (first != null) {
            ctx.error(here, r.path("name"), "duplicate " + what + " name '" + name + "' (first used at line "
                    + first.line() + ", column " + first.column() + "); " + what + " names must be unique"
                    + (scope == null ? "" : " within " + scope));
        }
    }

    private void checkBindConflicts(List<Bind> binds) {
        for (int i = 0; i < binds.size(); i++) {
            Bind b = binds.get(i);
            if (b.endpoint().port() == 0) {
                continue;
            }
            for (int j = 0; j < i; j++) {
                Bind a = binds.get(j);
                if (a.endpoint().port() != b.endpoint().port()) {
                    continue;
                }
                String ha = Addresses.canonicalHost(a.endpoint().host());
                String hb = Addresses.canonicalHost(b.endpoint().host());
                boolean wild = Addresses.isWildcard(a.endpoint().host()) || Addresses.isWildcard(b.endpoint().host());
                if (ha.equals(hb) || wild) {
                    Location at = b.location();
                    String why = ha.equals(hb) ? "" : " (" + (Addresses.isWildcard(a.endpoint().host())
                            ? a.endpoint() : b.endpoint()) + " listens on every address of port "
                            + b.endpoint().port() + ")";
                    ctx.error(at, b.path(), "bind " + b.endpoint() + " conflicts with " + a.owner() + " on "
                            + a.endpoint() + why + "; each listener needs its own address and port");
                    break;
                }
            }
        }
    }
}
