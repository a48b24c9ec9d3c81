package dev.fulcrum.l7;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.util.Map;

/**
 * Turns the header block of an HTTP/2 request into the request head the exchange runs on, and
 * refuses what must never be forwarded to an HTTP/1.1 backend (RFC 9113 8.2-8.3, and the
 * h2-to-h1 downgrade attacks): a name that is not a lowercase token, a value with CR, LF or
 * NUL or with surrounding white space, connection-specific fields, {@code te} other than
 * {@code trailers}, pseudo-headers missing, repeated, unknown or after a regular field, a
 * {@code :path} that is not origin form ({@code *} only for OPTIONS), userinfo in
 * {@code :authority}, a Host that names another authority, a content-length that is not
 * one number. Netty checks most of these already; they are checked here again because this
 * is the line that decides what a backend sees.
 *
 * <p>The head carries version "HTTP/2.0" (what Via and the access log report); the request
 * filter sets HTTP/1.1 before it goes to a backend. {@code :authority} becomes the one Host
 * header; cookie fields are joined with "; " (RFC 9113 8.2.3); {@code x-http2-*} fields are
 * dropped, so nothing a client or Netty names so reaches a backend.
 */
final class Http2RequestHead {

    /** The version an HTTP/2 client's request is known by until it is rewritten for a backend. */
    static final HttpVersion HTTP_2 = new HttpVersion("HTTP", 2, 0, true);

    private static final HttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);
    private static final AsciiString TE = AsciiString.cached("te");
    private static final AsciiString TRAILERS = AsciiString.cached("trailers");
    private static final AsciiString X_HTTP2 = AsciiString.cached("x-http2-");
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");

    /** Why a header block is malformed; the stream is reset with PROTOCOL_ERROR. */
    static final class Malformed extends Exception {
        Malformed(String reason) {
            super(reason, null, false, false);
        }
    }

    private Http2RequestHead() {
    }

    /**
     * @param endStream the header block ends the stream: the request has no body
     */
    static HttpRequest toHttp1(Http2Headers block, boolean endStream) throws Malformed {
        CharSequence method = null;
        CharSequence path = null;
        CharSequence scheme = null;
        CharSequence authority = null;
        CharSequence host = null;
        CharSequence contentLength = null;
        StringBuilder cookies = null;
        HttpHeaders headers = HEADERS.newHeaders();
        boolean regularSeen = false;
        for (Map.Entry<CharSequence, CharSequence> field : block) {
            CharSequence name = field.getKey();
            CharSequence value = field.getValue();
            checkValue(name, value);
            if (name.length() > 0 && name.charAt(0) == ':') {
                if (regularSeen) {
                    throw new Malformed("pseudo-header " + name + " after a regular field");
                }
                switch (name.toString()) {
                    case ":method" -> method = once(name, method, value);
                    case ":path" -> path = once(name, path, value);
                    case ":scheme" -> scheme = once(name, scheme, value);
                    case ":authority" -> authority = once(name, authority, value);
                    default -> throw new Malformed("unknown pseudo-header " + name);
                }
                continue;
            }
            regularSeen = true;
            checkName(name);
            if (HttpHeaderNames.HOST.contentEqualsIgnoreCase(name)) {
                host = once(name, host, value);
            } else if (HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)) {
                contentLength = once(name, contentLength, value);
            } else if (HttpHeaderNames.COOKIE.contentEqualsIgnoreCase(name)) {
                cookies = cookies == null ? new StringBuilder(value.length()).append(value)
                        : cookies.append("; ").append(value);
            } else if (AsciiString.regionMatches(name, true, 0, X_HTTP2, 0, X_HTTP2.length())) {
                // Netty's conversion headers, or a client pretending to be them: never forwarded.
            } else {
                checkNotConnectionSpecific(name, value);
                headers.add(name, value);
            }
        }
        if (method == null) {
            throw new Malformed("no :method");
        }
        boolean connect = HttpMethod.CONNECT.asciiName().contentEquals(method);
        String target;
        if (connect) {
            // No CONNECT tunnels over HTTP/2: it goes on as HTTP/1 would (authority form), and is refused there.
            if (authority == null || path != null || scheme != null) {
                throw new Malformed("CONNECT needs :authority and no :path or :scheme");
            }
            target = authority.toString();
        } else {
            if (scheme == null || path == null) {
                throw new Malformed(scheme == null ? "no :scheme" : "no :path");
            }
            target = checkPath(method, path);
        }
        if (authority != null) {
            checkAuthority(authority);
            if (host != null && !AsciiString.contentEqualsIgnoreCase(host, authority)) {
                throw new Malformed("host " + host + " differs from :authority " + authority);
            }
            host = authority;
        }
        if (host != null) {
            headers.set(HttpHeaderNames.HOST, host);
        }
        if (cookies != null) {
            headers.set(HttpHeaderNames.COOKIE, cookies.toString());
        }
        frame(headers, contentLength, endStream);
        return new DefaultHttpRequest(HTTP_2, HttpMethod.valueOf(method.toString()), target, headers);
    }

    /** A trailer block: regular fields only, held to the same rules as the head's. */
    static HttpHeaders trailers(Http2Headers block) throws Malformed {
        HttpHeaders trailers = HEADERS.newHeaders();
        for (Map.Entry<CharSequence, CharSequence> field : block) {
            CharSequence name = field.getKey();
            CharSequence value = field.getValue();
            checkValue(name, value);
            if (name.length() > 0 && name.charAt(0) == ':') {
                throw new Malformed("pseudo-header " + name + " in trailers");
            }
            checkName(name);
            checkNotConnectionSpecific(name, value);
            if (!AsciiString.regionMatches(name, true, 0, X_HTTP2, 0, X_HTTP2.length())) {
                trailers.add(name, value);
            }
        }
        return trailers;
    }

    /**
     * The body's framing for an HTTP/1 backend: the client's content-length when it gave one
     * (the codec holds the DATA to it), chunked when the length is unknown, nothing without a body.
     */
    private static void frame(HttpHeaders headers, CharSequence contentLength, boolean endStream) throws Malformed {
        if (contentLength != null) {
            long length = parseLength(contentLength);
            if (endStream && length != 0) {
                throw new Malformed("content-length " + length + " on a request without DATA");
            }
            headers.set(HttpHeaderNames.CONTENT_LENGTH, contentLength);
        } else if (!endStream) {
            headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
    }

    private static long parseLength(CharSequence value) throws Malformed {
        if (value.length() == 0 || value.length() > 18) {
            throw new Malformed("content-length is not a number: " + value);
        }
        long length = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                throw new Malformed("content-length is not a number: " + value);
            }
            length = length * 10 + (c - '0');
        }
        return length;
    }

    /** Origin form only; "*" only for OPTIONS (RFC 9113 8.3.1). */
    private static String checkPath(CharSequence method, CharSequence path) throws Malformed {
        if (path.length() == 1 && path.charAt(0) == '*') {
            if (!HttpMethod.OPTIONS.asciiName().contentEquals(method)) {
                throw new Malformed(":path * is only for OPTIONS");
            }
            return "*";
        }
        if (path.length() == 0 || path.charAt(0) != '/') {
            throw new Malformed(":path must start with /");
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                throw new Malformed(":path has a space or a control character");
            }
        }
        return path.toString();
    }

    /** host[:port]: no userinfo, no white space or delimiters an HTTP/1 parser would read differently. */
    private static void checkAuthority(CharSequence authority) throws Malformed {
        if (authority.length() == 0) {
            throw new Malformed("empty :authority");
        }
        for (int i = 0; i < authority.length(); i++) {
            char c = authority.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '@' || c == '/' || c == '?' || c == '#' || c == '\\') {
                throw new Malformed(":authority may hold only host and port");
            }
        }
    }

    private static CharSequence once(CharSequence name, CharSequence seen, CharSequence value) throws Malformed {
        if (seen != null) {
            throw new Malformed(name + " given twice");
        }
        return value;
    }

    /** A token of lowercase letters, digits and the other tchars (RFC 9110 5.6.2, RFC 9113 8.2.1). */
    private static void checkName(CharSequence name) throws Malformed {
        if (name.length() == 0) {
            throw new Malformed("empty field name");
        }
        for (int i = 0; i < name.length(); i++) {
            if (!isLowercaseTchar(name.charAt(i))) {
                throw new Malformed("field name " + name + " is not a lowercase token");
            }
        }
    }

    private static boolean isLowercaseTchar(char c) {
        if (c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
            return true;
        }
        return "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    /** No CR, LF or NUL anywhere, no white space at either end (RFC 9113 8.2.1). */
    private static void checkValue(CharSequence name, CharSequence value) throws Malformed {
        int length = value.length();
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                throw new Malformed("value of " + name + " has CR, LF or NUL");
            }
        }
        if (length > 0 && (isBlank(value.charAt(0)) || isBlank(value.charAt(length - 1)))) {
            throw new Malformed("value of " + name + " starts or ends with white space");
        }
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    /** RFC 9113 8.2.2: connection-specific fields are malformed in HTTP/2; te only as "trailers". */
    private static void checkNotConnectionSpecific(CharSequence name, CharSequence value) throws Malformed {
        if (TE.contentEqualsIgnoreCase(name)) {
            if (!TRAILERS.contentEqualsIgnoreCase(value)) {
                throw new Malformed("te other than trailers");
            }
            return;
        }
        if (HttpHeaderNames.CONNECTION.contentEqualsIgnoreCase(name)
                || HttpHeaderNames.KEEP_ALIVE.contentEqualsIgnoreCase(name)
                || PROXY_CONNECTION.contentEqualsIgnoreCase(name)
                || HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)
                || HttpHeaderNames.UPGRADE.contentEqualsIgnoreCase(name)) {
            throw new Malformed("connection-specific field " + name);
        }
    }
}
