package dev.fulcrum.l7.sticky;

import dev.fulcrum.config.StickyConfig;
import dev.fulcrum.lbcore.metrics.MeterScope;
import dev.fulcrum.lbcore.metrics.MetricNames;
import dev.fulcrum.lbcore.pool.BalancingContext;
import dev.fulcrum.lbcore.pool.Pool;
import dev.fulcrum.lbcore.pool.Server;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.cookie.CookieHeaderNames;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Sticky sessions of one pool. Insert mode: the proxy's own cookie names the server; it is set
 * on the response when the client had no valid pin for the server that answered, and removed
 * from requests before they reach a backend. Prefix mode (HAProxy's {@code prefix}): the
 * application's own session cookie gets the pin in front of its value on the way out, and loses
 * it on the way in, so the application never sees it.
 *
 * <p>A pinned server is used while it is up, not ejected, enabled or draining, and under its
 * connection cap; otherwise the balancer chooses and the response pins the client again.
 */
public final class PoolStickiness {

    private static final char PREFIX_SEPARATOR = '~';

    private final StickyConfig config;
    private final StickyCodec codec;
    private final String cookie;
    private final Counter hit;
    private final Counter miss;
    private final Counter repin;
    private final Counter invalid;

    private PoolStickiness(StickyConfig config, StickyCodec codec, MeterScope meters, String pool) {
        this.config = config;
        this.codec = codec;
        this.cookie = config.cookie();
        this.hit = counter(meters, pool, "hit");
        this.miss = counter(meters, pool, "miss");
        this.repin = counter(meters, pool, "repin");
        this.invalid = counter(meters, pool, "invalid");
    }

    /** Call off the event loops: the key file is read here. */
    public static PoolStickiness create(Pool pool, StickyConfig config, MeterRegistry registry) {
        return create(pool, config, MeterScope.open(registry));
    }

    /** @param meters the scope of the snapshot these sticky sessions belong to */
    public static PoolStickiness create(Pool pool, StickyConfig config, MeterScope meters) {
        return new PoolStickiness(config, new StickyCodec(pool, StickyKey.load(config.keyFile())), meters,
                pool.name());
    }

    private static Counter counter(MeterScope meters, String pool, String result) {
        return meters.register(Counter.builder(MetricNames.STICKY).tag(MetricNames.TAG_POOL, pool)
                .tag(MetricNames.TAG_RESULT, result).description("sticky-cookie decisions")::register);
    }

    /** Reads the request's pin (call before {@link #stripFromRequest}) and counts the outcome. */
    public StickyChoice choose(BalancingContext request) {
        String value = request.cookie(cookie);
        if (value == null || value.isEmpty()) {
            miss.increment();
            return new StickyChoice(null, StickyChoice.Result.MISS, false);
        }
        String pin = value;
        String bound = "";
        if (config.mode() == StickyConfig.Mode.PREFIX) {
            int separator = value.indexOf(PREFIX_SEPARATOR);
            if (separator < 0) {
                // The application's cookie without our prefix: no pin yet.
                miss.increment();
                return new StickyChoice(null, StickyChoice.Result.MISS, false);
            }
            pin = value.substring(0, separator);
            bound = value.substring(separator + 1);
        }
        long now = nowSeconds();
        StickyCodec.Pin checked = codec.decode(pin, bound, now);
        if (checked == null) {
            invalid.increment();
            return new StickyChoice(null, StickyChoice.Result.INVALID, false);
        }
        Server server = checked.server();
        if (!server.acceptsSticky()) {
            repin.increment();
            return new StickyChoice(null, StickyChoice.Result.REPIN, false);
        }
        hit.increment();
        return new StickyChoice(server, StickyChoice.Result.HIT, needsRefresh(checked.expiry(), now));
    }

    private boolean needsRefresh(long expiry, long now) {
        return expiry != 0 && config.ttl().isPresent() && expiry - now < config.ttl().get().toSeconds() / 2;
    }

    /** Insert mode: takes the proxy's cookie out; prefix mode: takes the pin off the application's cookie. */
    public void stripFromRequest(HttpHeaders headers) {
        List<String> lines = headers.getAll(HttpHeaderNames.COOKIE);
        if (lines.isEmpty()) {
            return;
        }
        List<String> kept = new ArrayList<>(lines.size());
        boolean changed = false;
        for (String line : lines) {
            String edited = editCookieLine(line);
            changed |= !edited.equals(line);
            if (!edited.isEmpty()) {
                kept.add(edited);
            }
        }
        if (changed) {
            headers.remove(HttpHeaderNames.COOKIE);
            kept.forEach(line -> headers.add(HttpHeaderNames.COOKIE, line));
        }
    }

    /** One Cookie line with our cookie removed (insert) or unprefixed (prefix); other pairs as they were. */
    private String editCookieLine(String line) {
        if (!line.contains(cookie + "=")) {
            return line;
        }
        StringBuilder out = new StringBuilder(line.length());
        for (String part : line.split(";")) {
            String pair = part.strip();
            if (pair.isEmpty()) {
                continue;
            }
            if (pair.startsWith(cookie + "=")) {
                if (config.mode() == StickyConfig.Mode.INSERT) {
                    continue;
                }
                String value = pair.substring(cookie.length() + 1);
                int separator = value.indexOf(PREFIX_SEPARATOR);
                pair = separator < 0 ? pair : cookie + "=" + value.substring(separator + 1);
            }
            if (out.length() > 0) {
                out.append("; ");
            }
            out.append(pair);
        }
        return out.toString();
    }

    /** Pins the client to the server that answered, when the request was not pinned to it already. */
    public void onResponse(HttpHeaders headers, Server answered, StickyChoice choice) {
        long expiry = config.ttl().map(ttl -> nowSeconds() + ttl.toSeconds()).orElse(0L);
        if (config.mode() == StickyConfig.Mode.PREFIX) {
            prefixSetCookies(headers, answered, expiry);
        } else if (choice.pinsAgain(answered)) {
            headers.add(HttpHeaderNames.SET_COOKIE, ServerCookieEncoder.STRICT.encode(insertCookie(answered, expiry)));
        }
    }

    private DefaultCookie insertCookie(Server server, long expiry) {
        DefaultCookie pin = new DefaultCookie(cookie, codec.encode(server, expiry, ""));
        pin.setPath(config.path());
        config.domain().ifPresent(pin::setDomain);
        config.ttl().ifPresent(ttl -> pin.setMaxAge(ttl.toSeconds()));
        pin.setSecure(config.secure());
        pin.setHttpOnly(config.httpOnly());
        config.sameSite().ifPresent(sameSite ->
                pin.setSameSite(CookieHeaderNames.SameSite.valueOf(sameSite.attribute())));
        return pin;
    }

    /** Prefix mode: every Set-Cookie of the application's cookie gets the pin in front of its value. */
    private void prefixSetCookies(HttpHeaders headers, Server answered, long expiry) {
        List<String> all = headers.getAll(HttpHeaderNames.SET_COOKIE);
        if (all.isEmpty()) {
            return;
        }
        List<String> edited = new ArrayList<>(all.size());
        boolean changed = false;
        for (String setCookie : all) {
            String result = prefixed(setCookie, answered, expiry);
            changed |= result != setCookie;
            edited.add(result);
        }
        if (changed) {
            headers.remove(HttpHeaderNames.SET_COOKIE);
            edited.forEach(value -> headers.add(HttpHeaderNames.SET_COOKIE, value));
        }
    }

    private String prefixed(String setCookie, Server answered, long expiry) {
        if (!setCookie.startsWith(cookie + "=")) {
            return setCookie;
        }
        int end = setCookie.indexOf(';');
        String value = setCookie.substring(cookie.length() + 1, end < 0 ? setCookie.length() : end).strip();
        if (value.isEmpty() || isDeletion(setCookie)) {
            // A deletion stays a deletion.
            return setCookie;
        }
        String rest = end < 0 ? "" : setCookie.substring(end);
        return cookie + "=" + codec.encode(answered, expiry, value) + PREFIX_SEPARATOR + value + rest;
    }

    private static boolean isDeletion(String setCookie) {
        String lower = setCookie.toLowerCase(Locale.ROOT);
        return lower.contains("max-age=0") || lower.contains("max-age=-");
    }

    private static long nowSeconds() {
        return System.currentTimeMillis() / 1000;
    }
}
