package dev.fulcrum.config;

import java.util.Locale;

/**
 * Syntax of the addresses in the configuration. Nothing here resolves a name: a host is accepted
 * when it is an IP literal or a syntactically valid DNS name.
 *
 * <ul>
 *   <li>endpoint: {@code host:port} or {@code [ipv6]:port}; an IPv6 literal must be bracketed;</li>
 *   <li>IPv4: four decimal parts 0..255 without leading zeros;</li>
 *   <li>IPv6: RFC 4291 text form, optionally with an embedded IPv4 tail and a {@code %zone};</li>
 *   <li>DNS name: dot-separated labels of letters, digits and '-', 1..63 characters each, not
 *       starting or ending with '-', at most 253 characters, the last label not all digits;
 *       an optional trailing dot is dropped.</li>
 * </ul>
 */
public final class Addresses {

    private Addresses() {
    }

    /**
     * Parses {@code host:port} or {@code [ipv6]:port}.
     *
     * @param allowPortZero true for listening sockets, where 0 asks the kernel for a free port
     * @throws IllegalArgumentException saying what is wrong and what is expected
     */
    public static Endpoint parseEndpoint(String text, boolean allowPortZero) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty address; expected host:port or [ipv6]:port");
        }
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("address '" + text + "' has no closing ']'; expected [ipv6]:port");
            }
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (!rest.startsWith(":") || rest.length() == 1) {
                throw new IllegalArgumentException("address '" + text + "' has no port; expected [ipv6]:port");
            }
            port = rest.substring(1);
            if (!isIpv6(host)) {
                throw new IllegalArgumentException("'" + host + "' in '" + text + "' is not a valid IPv6 address");
            }
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("address '" + text + "' has no port; expected host:port");
            }
            if (text.indexOf(':') != colon) {
                throw new IllegalArgumentException("IPv6 addresses need brackets: write [" + text.substring(0, colon)
                        + "]:" + text.substring(colon + 1) + " (expected host:port or [ipv6]:port)");
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
            if (host.isEmpty()) {
                throw new IllegalArgumentException("address '" + text + "' has no host; expected host:port"
                        + " (0.0.0.0 for all IPv4 addresses, [::] for all)");
            }
            String problem = hostProblem(host);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
            if (host.endsWith(".")) {
                host = host.substring(0, host.length() - 1);
            }
        }
        return new Endpoint(host, parsePort(port, text, allowPortZero));
    }

    private static int parsePort(String port, String text, boolean allowZero) {
        String range = allowZero ? "0..65535 (0 = any free port)" : "1..65535";
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("invalid port '" + port + "' in '" + text + "'; expected " + range);
        }
        int p = Integer.parseInt(port);
        if (p > 65535 || (p == 0 && !allowZero)) {
            throw new IllegalArgumentException("port " + p + " in '" + text + "' is out of range; expected " + range);
        }
        return p;
    }

    /** Null when {@code host} (unbracketed) is an IP literal or a valid DNS name, else why not. */
    static String hostProblem(String host) {
        if (host.indexOf(':') >= 0) {
            return isIpv6(host) ? null : "'" + host + "' is not a valid IPv6 address";
        }
        if (looksNumeric(host)) {
            return isIpv4(host) ? null : "'" + host + "' is not a valid IPv4 address (four parts 0..255)";
        }
        return isDnsName(host) ? null : "'" + host + "' is not a valid host name (letters, digits, '-' and"
                + " '.'; labels of 1..63 characters not starting or ending with '-')";
    }

    /** True for an IP literal (IPv6 without brackets) or a syntactically valid DNS name. */
    public static boolean isValidHost(String host) {
        return host != null && !host.isEmpty() && hostProblem(host) == null;
    }

    private static boolean looksNumeric(String host) {
        return !host.isEmpty() && host.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.');
    }

    /** Strict dotted-quad IPv4: four parts 0..255, no leading zeros. */
    public static boolean isIpv4(String s) {
        return ipv4Bytes(s) != null;
    }

    private static byte[] ipv4Bytes(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')
                    || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return null;
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                return null;
            }
            out[i] = (byte) v;
        }
        return out;
    }

    /** RFC 4291 text form, optional IPv4 tail and {@code %zone}; no brackets. */
    public static boolean isIpv6(String s) {
        return ipv6Bytes(s) != null;
    }

    private static byte[] ipv6Bytes(String s) {
        int pct = s.indexOf('%');
        if (pct >= 0) {
            String zone = s.substring(pct + 1);
            if (zone.isEmpty() || !zone.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '.'
                    || c == '-' || c == '_')) {
                return null;
            }
            s = s.substring(0, pct);
        }
        int dbl = s.indexOf("::");
        if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) {
            return null;
        }
        String head = dbl >= 0 ? s.substring(0, dbl) : s;
        String tail = dbl >= 0 ? s.substring(dbl + 2) : "";
        int[] h = groups(head, dbl < 0);
        int[] t = dbl >= 0 ? groups(tail, true) : new int[0];
        if (h == null || t == null) {
            return null;
        }
        int n = h.length + t.length;
        if (dbl < 0 ? n != 8 : n > 7) {
            return null;
        }
        byte[] out = new byte[16];
        for (int i = 0; i < h.length; i++) {
            out[2 * i] = (byte) (h[i] >> 8);
            out[2 * i + 1] = (byte) h[i];
        }
        for (int i = 0; i < t.length; i++) {
            int at = 8 - t.length + i;
            out[2 * at] = (byte) (t[i] >> 8);
            out[2 * at + 1] = (byte) t[i];
        }
        return out;
    }

    /** Hex groups of one side of "::"; the last may be a dotted IPv4 (two groups) when allowed. */
    private static int[] groups(String part, boolean ipv4TailAllowed) {
        if (part.isEmpty()) {
            return new int[0];
        }
        String[] g = part.split(":", -1);
        int extra = 0;
        byte[] v4 = null;
        if (g[g.length - 1].indexOf('.') >= 0) {
            if (!ipv4TailAllowed) {
                return null;
            }
            v4 = ipv4Bytes(g[g.length - 1]);
            if (v4 == null) {
                return null;
            }
            extra = 1;
        }
        int hexCount = g.length - (v4 != null ? 1 : 0);
        int[] out = new int[hexCount + 2 * extra];
        for (int i = 0; i < hexCount; i++) {
            String x = g[i];
            if (x.isEmpty() || x.length() > 4) {
                return null;
            }
            int val = 0;
            for (int k = 0; k < x.length(); k++) {
                int d = Character.digit(x.charAt(k), 16);
                if (d < 0) {
                    return null;
                }
                val = val * 16 + d;
            }
            out[i] = val;
        }
        if (v4 != null) {
            out[hexCount] = ((v4[0] & 0xff) << 8) | (v4[1] & 0xff);
            out[hexCount + 1] = ((v4[2] & 0xff) << 8) | (v4[3] & 0xff);
        }
        return out;
    }

    /** RFC 1123 host name syntax (see the class comment). */
    public static boolean isDnsName(String s) {
        if (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.isEmpty() || s.length() > 253) {
            return false;
        }
        String[] labels = s.split("\\.", -1);
        for (String label : labels) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) {
                    return false;
                }
            }
        }
        return !labels[labels.length - 1].chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** True for 0.0.0.0 and ::, which listen on every address. */
    public static boolean isWildcard(String host) {
        return "0.0.0.0".equals(host) || (isIpv6(host) && java.util.Arrays.equals(ipv6Bytes(host), new byte[16]));
    }

    /**
     * A comparison key for a host: IPv6 literals in one canonical form, names lower-cased.
     * Two hosts with the same key are the same address; different keys may still resolve alike.
     */
    public static String canonicalHost(String host) {
        if (host.indexOf(':') >= 0) {
            byte[] b = ipv6Bytes(host);
            if (b != null) {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < 16; i += 2) {
                    if (i > 0) {
                        sb.append(':');
                    }
                    sb.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff)));
                }
                int pct = host.indexOf('%');
                return pct >= 0 ? sb + host.substring(pct) : sb.toString();
            }
        }
        String h = host.toLowerCase(Locale.ROOT);
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }
}
