package dev.fulcrum.l7;

import dev.fulcrum.config.ForwardingConfig;
import dev.fulcrum.config.HeaderActions;
import dev.fulcrum.config.RouteActions;
import dev.fulcrum.l7.routing.InvalidRequestTargetException;
import dev.fulcrum.l7.routing.RouteRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
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
 * What the proxy does to a request head before it goes to a backend ({@link RequestRewriter}):
 * the normalised target, HTTP/1.1, hop-by-hop headers stripped, X-Forwarded-* and Via, then
 * the route's header edits. It lives in the l7 package because the rewriter is package-private.
 *
 * <p>The rewrite works in place, so each operation first restores the client's head from a
 * template: {@code restoreOnly} measures that alone, to be subtracted from {@code rewrite}.
 * {@code actions}: {@code none} (a route without edits) or {@code edits} (a remove, two sets
 * and an add, plus strip_prefix).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HeaderRewriteBenchmark {

    private static final String URI = "/api/v2/orders/12345?expand=items";

    @Param({"none", "edits"})
    public String actions;

    private final HttpHeaders template = new DefaultHttpHeaders();
    private final HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, URI);
    private final RouteRequest routed = new RouteRequest();
    private CompiledRouteActions compiled;
    private ForwardedHeaders forwarding;
    private RequestRewriter rewriter;

    @Setup
    public void setUp() throws InvalidRequestTargetException {
        // A browser-like request through a keep-alive connection, which claims a forwarding chain of its own.
        template.set("Host", "api.example.com");
        template.set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0");
        template.set("Accept", "application/json, text/plain, */*");
        template.set("Accept-Language", "en-GB,en;q=0.5");
        template.set("Accept-Encoding", "gzip, deflate, br");
        template.set("Connection", "keep-alive");
        template.set("Cookie", "session=0123456789abcdef; theme=dark");
        template.set("X-Forwarded-For", "203.0.113.7");
        template.set("X-Debug", "1");
        template.set("Referer", "https://shop.example.com/orders");
        RouteActions routeActions = actions.equals("none") ? RouteActions.NONE
                : new RouteActions(Optional.of("/api"), Optional.empty(),
                        new HeaderActions(Map.of("X-Route", "orders"), Map.of("X-Env", "prod", "X-Tier", "gold"),
                                List.of("X-Debug")),
                        HeaderActions.NONE);
        compiled = new CompiledRouteActions(routeActions);
        forwarding = new ForwardedHeaders(ForwardingConfig.DEFAULTS);
        rewriter = new RequestRewriter("http", new InetSocketAddress("192.0.2.10", 50123),
                new InetSocketAddress("127.0.0.1", 8080));
        routed.parse("GET", URI, template);
    }

    private void restore() {
        request.headers().set(template);
        request.setUri(URI);
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
    }

    @Benchmark
    public HttpRequest restoreOnly() {
        restore();
        return request;
    }

    @Benchmark
    public HttpRequest rewrite() {
        restore();
        rewriter.rewrite(request, routed, compiled, forwarding, null);
        return request;
    }
}
