package dev.fulcrum.l7;

/**
 * RFC 3986 authority syntax without user information, as the Host header must carry it:
 * {@code reg-name | IPv4 | [IPv6]}, optionally {@code :port}. Backends and routing both read the
 * Host header, so one they could parse differently (spaces, '@', '/', a bad port) is refused.
 */
final class Authority {

    private static final String SUB_DELIMS_AND_UNRESERVED = "-._~!$&'()*+,;=";

    private Authority() {
    }

    /** Whether {@code value} is a valid Host header value; empty is valid (RFC 9112, 3.2). */
    static boolean isValidHost(String value) {
        int length = value.length();
        if (length == 0) {
            return true;
        }
        int i = 0;
        if (value.charAt(0) == '[') {
            int close = value.indexOf(']');
            if (close < 2) {
                return false;
            }
            for (i = 1; i < close; i++) {
                char c = value.charAt(i);
                if (!(isHexDigit(c) || c == ':' || c == '.')) {
                    return false;
                }
            }
            i = close + 1;
        } else {
            while (i < length && value.charAt(i) != ':') {
                char c = value.charAt(i);
                if (c == '%') {
                    if (i + 2 >= length || !isHexDigit(value.charAt(i + 1)) || !isHexDigit(value.charAt(i + 2))) {
                        return false;
                    }
                    i += 3;
                    continue;
                }
                if (!(isAlphaNumeric(c) || SUB_DELIMS_AND_UNRESERVED.indexOf(c) >= 0)) {
                    return false;
                }
                i++;
            }
            if (i == 0) {
                return false;
            }
        }
        if (i == length) {
            return true;
        }
        return value.charAt(i) == ':' && isPort(value, i + 1);
    }

    private static boolean isPort(String value, int from) {
        int digits = value.length() - from;
        if (digits < 1 || digits > 5) {
            return false;
        }
        int port = 0;
        for (int i = from; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
            port = port * 10 + (c - '0');
        }
        return port <= 65535;
    }

    private static boolean isHexDigit(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    private static boolean isAlphaNumeric(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }
}
