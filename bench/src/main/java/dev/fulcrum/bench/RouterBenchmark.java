package dev.fulcrum.bench;

import dev.fulcrum.config.Location;
import dev.fulcrum.config.MatchConfig;
import dev.fulcrum.config.RouteConfig;
import dev.fulcrum.config.RoutePolicy;
import dev.fulcrum.l7.routing.InvalidRequestTargetException;
import dev.fulcrum.l7.routing.Route;
import dev.fulcrum.l7.routing.RouteRequest;
import dev.fulcrum.l7.routing.Router;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Routing cost per request over a realistic table: host rules, path prefixes, a regex,
 * header/query/cookie rules, then a default. {@code rules} is 20 (those rules) or 100 (the
 * same, with 80 generated host, prefix and header rules that never match, half of them before
 * the middle rule, half before the default). {@code target} picks how deep in the table the
 * winning rule sits. {@code parseAndMatch} includes what the proxy does before
 * matching (target split, path normalisation, host normalisation); {@code matchOnly} does not.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RouterBenchmark {

    /** Which request: the first rule, a rule in the middle, or the default at the end. */
    @Param({"first", "middle", "last"})
    public String target;

    /** How many rules the table holds: 20 or 100. */
    @Param({"20", "100"})
    public int rules;

    private Router router;
    private String uri;
    private HttpHeaders headers;
    private RouteRequest parsed;
    private final RouteRequest reused = new RouteRequest();

    @Setup
    public void setUp() throws InvalidRequestTargetException {
        router = Router.compile("bench", table(rules));
        headers = new DefaultHttpHeaders();
        switch (target) {
            case "first" -> {
                uri = "/static/css/site.css";
                headers.set("Host", "www.example.com");
            }
            case "middle" -> {
                uri = "/api/v2/orders/12345?expand=items";
                headers.set("Host", "api.example.com:8443");
                headers.set("X-Tenant", "acme");
            }
            default -> {
                uri = "/account/settings/../profile";
                headers.set("Host", "shop.example.com");
                headers.set("Cookie", "session=abc; theme=dark");
            }
        }
        parsed = RouteRequest.of("GET", uri, headers);
        if (router.match(parsed) == null) {
            throw new IllegalStateException("benchmark request routes nowhere");
        }
    }

    @Benchmark
    public Route matchOnly() {
        return router.match(parsed);
    }

    @Benchmark
    public Route parseAndMatch() throws InvalidRequestTargetException {
        reused.parse("GET", uri, headers);
        return router.match(reused);
    }

    /** The 20-rule table, padded to {@code size} rules with generated ones that these requests never match. */
    static List<RouteConfig> table(int size) {
        List<RouteConfig> routes = table();
        int extra = size - routes.size();
        if (extra < 0) {
            throw new IllegalArgumentException("at least " + routes.size() + " rules");
        }
        List<RouteConfig> before = new ArrayList<>();
        List<RouteConfig> after = new ArrayList<>();
        for (int i = 0; i < extra; i++) {
            Keys keys = switch (i % 4) {
                case 0 -> keys().host("svc-" + i + ".internal.example.com");
                case 1 -> keys().prefix("/svc-" + i);
                case 2 -> keys().host("api.example.com").prefix("/api/v0/svc-" + i);
                default -> keys().prefix("/api").header("X-Service", "svc-" + i);
            };
            (i < extra / 2 ? before : after).add(route("generated-" + i, keys));
        }
        // The middle request's rule is the 11th: put half the generated rules ahead of it.
        routes.addAll(10, before);
        routes.addAll(routes.size() - 1, after);
        return routes;
    }

    static List<RouteConfig> table() {
        List<RouteConfig> routes = new ArrayList<>();
        routes.add(route("static", keys().prefix("/static")));
        routes.add(route("assets", keys().host("cdn.example.com")));
        routes.add(route("video", keys().prefix("/video")));
        routes.add(route("billing", keys().host("billing.example.com")));
        routes.add(route("admin", keys().host("admin.example.com").prefix("/admin")));
        routes.add(route("uploads", keys().prefix("/upload").methods("POST", "PUT")));
        routes.add(route("search", keys().prefix("/search").methods("GET")));
        routes.add(route("users", keys().regex("/users/[0-9]+(/.*)?")));
        routes.add(route("canary", keys().prefix("/api").header("X-Canary", "1")));
        routes.add(route("beta", keys().cookie("group", "beta")));
        routes.add(route("api-v2-tenant", keys().host("api.example.com").prefix("/api/v2").header("X-Tenant", "acme")));
        routes.add(route("api-v2", keys().host("api.example.com").prefix("/api/v2")));
        routes.add(route("api-v1", keys().host("api.example.com").prefix("/api/v1")));
        routes.add(route("debug", keys().query("debug", "true")));
        routes.add(route("tenants", keys().host("*.tenants.example.com")));
        routes.add(route("docs", keys().host("docs.example.com")));
        routes.add(route("health", keys().path("/healthz")));
        routes.add(route("ws", keys().prefix("/ws").header("Upgrade", "websocket")));
        routes.add(route("legacy", keys().host("old.example.com")));
        routes.add(route("default", keys()));
        return routes;
    }

    private static RouteConfig route(String name, Keys keys) {
        return new RouteConfig(name, keys.config(), "pool-" + name, Location.NONE, RoutePolicy.DEFAULTS);
    }

    private static Keys keys() {
        return new Keys();
    }

    /** Collects the match keys of one rule. */
    private static final class Keys {
        private String host;
        private String path;
        private String prefix;
        private String regex;
        private List<String> methods = List.of();
        private final Map<String, String> headers = new HashMap<>();
        private final Map<String, String> query = new HashMap<>();
        private final Map<String, String> cookies = new HashMap<>();

        Keys host(String value) {
            host = value;
            return this;
        }

        Keys path(String value) {
            path = value;
            return this;
        }

        Keys prefix(String value) {
            prefix = value;
            return this;
        }

        Keys regex(String value) {
            regex = value;
            return this;
        }

        Keys methods(String... values) {
            methods = List.of(values);
            return this;
        }

        Keys header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        Keys query(String name, String value) {
            query.put(name, value);
            return this;
        }

        Keys cookie(String name, String value) {
            cookies.put(name, value);
            return this;
        }

        MatchConfig config() {
            return new MatchConfig(Optional.ofNullable(host), Optional.ofNullable(path), Optional.ofNullable(prefix),
                    Optional.ofNullable(regex), methods, headers, query, cookies, Optional.empty());
        }
    }
}
