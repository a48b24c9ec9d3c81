package dev.fulcrum.l7.routing;

import dev.fulcrum.lbcore.pool.BalancingContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.net.SocketAddress;
import java.util.Map;

/**
 * The parts of a request that routes match on, in normal form. The proxy keeps one per
 * connection and refills it for each request ({@link #parse}); query parameters and cookies are
 * decoded only when a rule asks for them. It is also what the pool's balancer hashes on
 * ({@link BalancingContext}), so choosing a server allocates nothing more.
 */
public final class RouteRequest implements BalancingContext {

    private String method = "";
    private String uri = "";
    private String host = "";
    private String path = "/";
    private String rawQuery;
    private boolean absoluteForm;
    private boolean pathChanged;
    private HttpHeaders headers;
    private Map<String, List<String>> queryParameters;
    private Map<String, String> cookies;
    private SocketAddress client;

    /** Parses a request, as {@link #parse}, into a new instance. */
    public static RouteRequest of(String method, String uri, HttpHeaders headers)
            throws InvalidRequestTargetException {
        RouteRequest request = new RouteRequest();
        request.parse(method, uri, headers);
        return request;
    }

    /**
     * Refills this from a request: the target is split, its path normalised
     * ({@link PathNormalizer}) and the host taken from an absolute-form target or else the
     * {@code Host} header, without port, in lower case.
     *
     * @param uri origin-form ({@code /p?q}), absolute-form ({@code http://h/p?q}), or {@code *}
     */
    public void parse(String method, String uri, HttpHeaders headers) throws InvalidRequestTargetException {
        this.method = method;
        this.uri = uri;
        this.headers = headers;
        this.queryParameters = null;
        this.cookies = null;
        this.absoluteForm = false;
        this.pathChanged = false;
        this.rawQuery = null;
        String authority = null;
        String target = uri;
        if (uri.equals("*")) {
            if (!method.equals("OPTIONS")) {
                throw new InvalidRequestTargetException("\"*\" is a target for OPTIONS only");
            }
            path = "*";
            host = normalizeHost(headers.get(HttpHeaderNames.HOST));
            return;
        }
        if (!uri.startsWith("/")) {
            int schemeEnd = schemeEnd(uri);
            if (schemeEnd < 0) {
                throw new InvalidRequestTargetException("request target must be a path or an http(s) URL");
            }
            int authorityEnd = schemeEnd;
            while (authorityEnd < uri.length() && "/?#".indexOf(uri.charAt(authorityEnd)) < 0) {
                authorityEnd++;
            }
            authority = uri.substring(schemeEnd, authorityEnd);
            if (authority.isEmpty() || authority.indexOf('@') >= 0) {
                throw new InvalidRequestTargetException("URL must have a host and no user information");
            }
            target = authorityEnd == uri.length() || uri.charAt(authorityEnd) != '/'
                    ? "/" + uri.substring(authorityEnd) : uri.substring(authorityEnd);
            absoluteForm = true;
        }
        int question = target.indexOf('?');
        String rawPath = question < 0 ? target : target.substring(0, question);
        if (question >= 0) {
            rawQuery = target.substring(question + 1);
            checkQuery(rawQuery);
        }
        path = PathNormalizer.normalize(rawPath);
        pathChanged = absoluteForm || !path.equals(rawPath);
        host = normalizeHost(authority != null ? authority : headers.get(HttpHeaderNames.HOST));
    }

    private static int schemeEnd(String uri) {
        if (uri.regionMatches(true, 0, "http://", 0, 7)) {
            return 7;
        }
        if (uri.regionMatches(true, 0, "https://", 0, 8)) {
            return 8;
        }
        return -1;
    }

    private static void checkQuery(String query) throws InvalidRequestTargetException {
        for (int i = 0; i < query.length(); i++) {
            char c = query.charAt(i);
            if (c <= 0x20 || c >= 0x7F || c == '#') {
                throw new InvalidRequestTargetException(c == 0 ? "NUL in query" : "invalid character in query");
            }
        }
    }

    /** Lower case, without port and without a trailing dot; "" when absent. */
    static String normalizeHost(String value) {
        if (value == null) {
            return "";
        }
        String host = value.trim();
        int end = host.length();
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            end = close < 0 ? end : close + 1;
        } else {
            int colon = host.lastIndexOf(':');
            if (colon >= 0) {
                end = colon;
            }
        }
        if (end > 0 && host.charAt(end - 1) == '.') {
            end--;
        }
        return host.substring(0, end).toLowerCase(Locale.ROOT);
    }

    public String method() {
        return method;
    }

    /** The request target as received. */
    public String uri() {
        return uri;
    }

    /** Lower case, without port; "" when the request names no host. */
    public String host() {
        return host;
    }

    /** The normalised path. */
    public String path() {
        return path;
    }

    /** The query as received (without '?'), or null when the target has none. */
    public String rawQuery() {
        return rawQuery;
    }

    /** True when the target was an absolute URL; its authority is then the host. */
    public boolean isAbsoluteForm() {
        return absoluteForm;
    }

    /** The origin-form target to send to the backend: the normalised path and the query. */
    public String backendUri() {
        if (!pathChanged) {
            return uri;
        }
        return rawQuery == null ? path : path + "?" + rawQuery;
    }

    public HttpHeaders headers() {
        return headers;
    }

    /** Every value of a header, without splitting on commas. */
    public Iterator<String> headerValues(CharSequence name) {
        return headers.valueStringIterator(name);
    }

    /** Every value of a decoded query parameter; empty when absent. */
    public List<String> queryValues(String name) {
        if (rawQuery == null) {
            return List.of();
        }
        if (queryParameters == null) {
            queryParameters = new QueryStringDecoder(rawQuery, false).parameters();
        }
        return queryParameters.getOrDefault(name, List.of());
    }

    /**
     * Keeps the headers as they are now for the balancer and cookie look-ups, though the
     * request's own are rewritten afterwards. Costs a copy: only for pools that hash on a
     * header or cookie.
     */
    public void keepHeadersAsReceived() {
        if (headers != null) {
            headers = headers.copy();
        }
    }

    /** Sets the address the request came from and returns this, as the balancer's context. */
    public RouteRequest forClient(SocketAddress client) {
        this.client = client;
        return this;
    }

    @Override
    public SocketAddress client() {
        return client;
    }

    /** The first value of a header, or null. */
    @Override
    public String header(String name) {
        return headers == null ? null : headers.get(name);
    }

    /** The value of a cookie (the first when repeated), or null. */
    @Override
    public String cookie(String name) {
        if (cookies == null) {
            if (headers == null) {
                return null;
            }
            cookies = decodeCookies(headers);
        }
        return cookies.get(name);
    }

    private static Map<String, String> decodeCookies(HttpHeaders headers) {
        List<String> lines = headers.getAll(HttpHeaderNames.COOKIE);
        if (lines.isEmpty()) {
            return Collections.emptyMap();
        }
        Map<String, String> values = new HashMap<>();
        for (String line : lines) {
            for (Cookie cookie : ServerCookieDecoder.LAX.decodeAll(line)) {
                values.putIfAbsent(cookie.name(), cookie.value());
            }
        }
        return values;
    }
}
