package dev.fulcrum.config;

import static dev.fulcrum.config.Scalars.describe;
import static dev.fulcrum.config.Scalars.text;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsers for HTTP values: methods, header names and values, cookie names, paths and status codes. */
final class HttpValues {

    /** RFC 9110 token: HTTP methods and header names. */
    static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    /**
     * Headers that frame a message or manage its connection: the proxy sets them for each hop
     * itself, so route header edits may not remove, set or add them (an edit could make the
     * backend or the client read the body differently from the proxy).
     */
    static final Set<String> FRAMING_HEADERS = Set.of("content-length", "transfer-encoding", "connection",
            "keep-alive", "proxy-connection", "te", "trailer", "upgrade");
    private static final Pattern STATUS_RANGE = Pattern.compile("([0-9]{3})(?:\\s*-\\s*([0-9]{3}))?");

    private HttpValues() {
    }

    /** An HTTP method (RFC 9110 token), upper-cased. */
    static ValueParser<String> httpMethod() {
        return node -> {
            String t = text(node, "an HTTP method like GET");
            if (!TOKEN.matcher(t).matches()) {
                throw new Invalid("invalid HTTP method '" + t + "'; expected a token like GET or POST");
            }
            return t.toUpperCase(Locale.ROOT);
        };
    }

    /** An HTTP header name (RFC 9110 token), lower-cased: header names are case-insensitive. */
    static ValueParser<String> headerName() {
        return node -> {
            String t = text(node, "a header name");
            if (!TOKEN.matcher(t).matches()) {
                throw new Invalid("invalid header name '" + t + "'; expected a token like X-Tenant");
            }
            return t.toLowerCase(Locale.ROOT);
        };
    }

    /** A header name a route may edit: any but the {@link #FRAMING_HEADERS}, lower-cased. */
    static ValueParser<String> editableHeaderName() {
        ValueParser<String> name = headerName();
        return node -> {
            String lower = name.parse(node);
            if (FRAMING_HEADERS.contains(lower)) {
                throw new Invalid("'" + text(node, "a header name") + "' frames the message and is managed by the"
                        + " proxy; a route cannot remove, set or add it");
            }
            return lower;
        };
    }

    /** A header value that cannot split a message: no CR, LF, NUL or other control characters but tab. */
    static ValueParser<String> headerValue() {
        return node -> {
            String t = text(node, "a header value");
            for (int i = 0; i < t.length(); i++) {
                char c = t.charAt(i);
                if (c < 0x20 && c != '\t' || c == 0x7f) {
                    throw new Invalid("header value contains control character 0x"
                            + Integer.toHexString(c) + "; CR, LF and other control characters are not allowed");
                }
            }
            return t;
        };
    }

    /** A cookie name: an RFC 6265 token. */
    static ValueParser<String> cookieName() {
        return node -> {
            String t = text(node, "a cookie name");
            if (!TOKEN.matcher(t).matches()) {
                throw new Invalid("invalid cookie name '" + t + "'; expected a token (letters, digits and"
                        + " !#$%&'*+.^_`|~-, no spaces, '=', ';' or quotes)");
            }
            return t;
        };
    }

    static ValueParser<String> urlPath(String what) {
        return node -> {
            String t = text(node, what + " starting with '/'");
            if (!t.startsWith("/")) {
                throw new Invalid(what + " '" + t + "' must start with '/'");
            }
            for (int i = 0; i < t.length(); i++) {
                char c = t.charAt(i);
                if (c <= ' ' || c >= 0x7f) {
                    throw new Invalid(what + " '" + t + "' contains a space or control character;"
                            + " percent-encode it");
                }
            }
            return t;
        };
    }

    /** An HTTP status code ({@code 204}) or range ({@code 200-399}), within 100..599. */
    static ValueParser<StatusRange> statusRange() {
        String expected = "a status code like 200 or a range like 200-399";
        return node -> {
            String t = text(node, expected).trim();
            Matcher m = STATUS_RANGE.matcher(t);
            if (!m.matches()) {
                throw new Invalid("expected " + expected + ", got " + describe(node));
            }
            int from = Integer.parseInt(m.group(1));
            int to = m.group(2) == null ? from : Integer.parseInt(m.group(2));
            if (from < 100 || to > 599 || from > to) {
                throw new Invalid("'" + t + "' is not a status range within 100-599");
            }
            return new StatusRange(from, to);
        };
    }
}
