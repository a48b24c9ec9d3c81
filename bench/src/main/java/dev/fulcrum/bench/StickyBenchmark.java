package dev.fulcrum.bench;

import dev.fulcrum.config.Balance;
import dev.fulcrum.config.HashOn;
import dev.fulcrum.config.StickyConfig;
import dev.fulcrum.l7.routing.InvalidRequestTargetException;
import dev.fulcrum.l7.routing.RouteRequest;
import dev.fulcrum.l7.sticky.PoolStickiness;
import dev.fulcrum.l7.sticky.StickyChoice;
import dev.fulcrum.lbcore.pool.BalancingContext;
import dev.fulcrum.lbcore.pool.Balancers;
import dev.fulcrum.lbcore.pool.Pool;
import dev.fulcrum.lbcore.pool.Server;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.cookie.ClientCookieDecoder;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The sticky-cookie check of a pinned request (insert mode): {@code checkPin} is
 * {@link PoolStickiness#choose} on a request whose cookies are already decoded (split the
 * value, HMAC-SHA256 of the pin, constant-time compare, server lookup, counter);
 * {@code parseCookiesAndCheck} adds what the proxy does first for that request (parse the
 * target and decode the Cookie header); {@code stripFromRequest} is the removal of the pin
 * from the head sent to the backend (on a copy of the headers, whose cost {@code copyOnly} shows).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StickyBenchmark {

    private static final String COOKIE = "FULCRUM_SHOP";

    private PoolStickiness stickiness;
    private BalancingContext decoded;
    private final RouteRequest request = new RouteRequest();
    private final HttpHeaders headers = new DefaultHttpHeaders();
    private final HttpHeaders copy = new DefaultHttpHeaders();

    @Setup
    public void setUp() throws InvalidRequestTargetException {
        List<Server> servers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            servers.add(new Server("shop", "shop-" + i, i, new InetSocketAddress("127.0.0.1", 9000 + i), 100, 0));
        }
        Pool pool = new Pool("shop", servers, Balancers.create(Balance.ROUND_ROBIN, HashOn.SOURCE, servers));
        stickiness = PoolStickiness.create(pool, new StickyConfig(COOKIE), new SimpleMeterRegistry());
        // The pin the proxy would set for shop-3, read back from its Set-Cookie.
        HttpHeaders response = new DefaultHttpHeaders();
        stickiness.onResponse(response, servers.get(3), new StickyChoice(null, StickyChoice.Result.MISS, false));
        String pin = ClientCookieDecoder.STRICT.decode(response.get(HttpHeaderNames.SET_COOKIE)).value();
        SocketAddress client = new InetSocketAddress("192.0.2.10", 50123);
        decoded = new BalancingContext() {
            @Override
            public SocketAddress client() {
                return client;
            }

            @Override
            public String cookie(String name) {
                return name.equals(COOKIE) ? pin : null;
            }
        };
        headers.set("Host", "shop.example.com");
        headers.set("Cookie", "session=0123456789abcdef; " + COOKIE + "=" + pin + "; theme=dark");
        request.parse("GET", "/cart", headers);
        if (checkPin().server() != servers.get(3) || parseCookiesAndCheck().server() != servers.get(3)) {
            throw new IllegalStateException("the pin does not check out");
        }
    }

    @Benchmark
    public StickyChoice checkPin() {
        return stickiness.choose(decoded);
    }

    @Benchmark
    public StickyChoice parseCookiesAndCheck() throws InvalidRequestTargetException {
        request.parse("GET", "/cart", headers);
        return stickiness.choose(request);
    }

    @Benchmark
    public HttpHeaders copyOnly() {
        copy.set(headers);
        return copy;
    }

    @Benchmark
    public HttpHeaders stripFromRequest() {
        copy.set(headers);
        stickiness.stripFromRequest(copy);
        return copy;
    }
}
