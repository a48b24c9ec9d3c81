package dev.fulcrum.config;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/** The value parsers the configuration is made of; each says what it expected when it fails. */
final class Values {

    /** Names of listeners, routes, pools, servers, certificates and HA nodes: they end up in URLs and metrics. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    /** RFC 9110 token: HTTP methods and header names. */
    static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern INTEGER = Pattern.compile("[-+]?(0|[1-9][0-9]*)");
    private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.:@-]{1,15}");

    private Values() {
    }

    /** How a node reads in an error message: "a list", "the number 3", "an empty value", ... */
    static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        if (!(node instanceof ScalarNode s)) {
            return "a " + node.getNodeId();
        }
        Tag tag = s.getTag();
        if (Tag.NULL.equals(tag)) {
            return "an empty value";
        }
        String v = s.getValue().length() > 40 ? s.getValue().substring(0, 40) + "..." : s.getValue();
        if (Tag.INT.equals(tag) || Tag.FLOAT.equals(tag)) {
            return "the number " + v;
        }
        if (Tag.BOOL.equals(tag)) {
            return "the boolean '" + v + "'";
        }
        return "'" + v + "'";
    }

    private static final Pattern STATUS_RANGE = Pattern.compile("([0-9]{3})(?:\\s*-\\s*([0-9]{3}))?");

    /** The text of a scalar that is not null; anything else is refused with {@code expected}. */
    static String text(Node node, String expected) throws Invalid {
        if (node instanceof ScalarNode s && !Tag.NULL.equals(s.getTag())) {
            return s.getValue();
        }
        throw new Invalid("expected " + expected + ", got " + describe(node));
    }

    static ValueParser<String> string(String expected) {
        return node -> {
            String t = text(node, expected);
            if (t.isEmpty()) {
                throw new Invalid("expected " + expected + ", got an empty string");
            }
            return t;
        };
    }

    static ValueParser<String> name(String what) {
        return node -> {
            String t = text(node, "a " + what + " name");
            if (!NAME.matcher(t).matches()) {
                throw new Invalid("invalid " + what + " name '" + t + "'; expected 1..64 letters, digits, '_', '.'"
                        + " or '-', starting with a letter or digit");
            }
            return t;
        };
    }

    static ValueParser<Boolean> bool() {
        return node -> {
            String t = text(node, "true or false");
            if (node.getTag().equals(Tag.BOOL) && (t.equals("true") || t.equals("false"))) {
                return Boolean.valueOf(t);
            }
            throw new Invalid("expected true or false, got " + describe(node));
        };
    }

    static ValueParser<Integer> integer(int min, int max) {
        return node -> {
            String expected = max == Integer.MAX_VALUE ? "an integer >= " + min
                    : "an integer between " + min + " and " + max;
            String t = text(node, expected);
            if (!Tag.INT.equals(node.getTag()) || !INTEGER.matcher(t).matches()) {
                throw new Invalid("expected " + expected + ", got " + describe(node));
            }
            long v;
            try {
                v = Long.parseLong(t.startsWith("+") ? t.substring(1) : t);
            } catch (NumberFormatException e) {
                v = t.startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE;
            }
            if (v < min || v > max) {
                throw new Invalid(v + " is out of range; expected " + expected);
            }
            return (int) v;
        };
    }

    static ValueParser<Duration> duration() {
        return node -> {
            try {
                return Durations.parse(text(node, "a duration like 250ms, 2s or 1m"));
            } catch (IllegalArgumentException e) {
                throw new Invalid(e.getMessage());
            }
        };
    }

    static ValueParser<Duration> positiveDuration() {
        return duration().then(d -> {
            if (d.isZero()) {
                throw new Invalid("expected a duration greater than 0, e.g. 250ms or 2s");
            }
            return d;
        });
    }

    static ValueParser<Long> size() {
        return node -> {
            try {
                return Sizes.parse(text(node, "a size like 64KiB or 1MiB"));
            } catch (IllegalArgumentException e) {
                throw new Invalid(e.getMessage());
            }
        };
    }

    /** A size within {@code [min, max]} bytes, as an int (limits the HTTP codec takes as int). */
    static ValueParser<Integer> size(int min, int max) {
        return size().then(v -> {
            if (v < min || v > max) {
                throw new Invalid(Sizes.format(v) + " is out of range; expected a size from " + Sizes.format(min)
                        + " to " + Sizes.format(max));
            }
            return v.intValue();
        });
    }

    /** A size, or {@code unlimited} (read as {@link ListenerLimits#UNLIMITED}): only said, never assumed. */
    static ValueParser<Long> sizeOrUnlimited() {
        return node -> {
            if ("unlimited".equals(text(node, "a size like 100MiB, or unlimited"))) {
                return ListenerLimits.UNLIMITED;
            }
            try {
                return size().parse(node);
            } catch (Invalid e) {
                throw new Invalid(e.getMessage() + " (or unlimited)");
            }
        };
    }

    /** {@code host:port}; binds allow port 0, addresses of peers and servers need 1..65535. */
    static ValueParser<Endpoint> endpoint(boolean allowPortZero) {
        return node -> {
            try {
                return Addresses.parseEndpoint(text(node, "an address host:port"), allowPortZero);
            } catch (IllegalArgumentException e) {
                throw new Invalid(e.getMessage());
            }
        };
    }

    static <E extends Enum<E>> ValueParser<E> enumOf(Class<E> type, String what) {
        List<String> keys = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            keys.add(e.name().toLowerCase(Locale.ROOT));
        }
        return node -> {
            String t = text(node, what + " (one of " + String.join(", ", keys) + ")");
            int i = keys.indexOf(t);
            if (i < 0) {
                throw new Invalid("unknown " + what + " '" + t + "'" + Suggest.hint(t, keys)
                        + " (expected one of " + String.join(", ", keys) + ")");
            }
            return type.getEnumConstants()[i];
        };
    }

    /** A path to a readable regular file, relative ones resolved against {@code baseDir}. */
    static ValueParser<Path> readableFile(Path baseDir, String what) {
        return node -> {
            String t = text(node, "the path of " + what);
            Path p;
            try {
                p = baseDir.resolve(t).normalize();
            } catch (InvalidPathException e) {
                throw new Invalid("invalid path '" + t + "': " + e.getReason());
            }
            String shown = p.toString().equals(t) ? "'" + t + "'" : "'" + t + "' (" + p + ")";
            if (!Files.exists(p)) {
                throw new Invalid(what + " " + shown + " does not exist; relative paths are resolved"
                        + " against the directory of the configuration file");
            }
            if (!Files.isRegularFile(p)) {
                throw new Invalid(what + " " + shown + " is not a regular file");
            }
            if (!Files.isReadable(p)) {
                throw new Invalid(what + " " + shown + " is not readable");
            }
            return p;
        };
    }

    /**
     * A readable file holding a secret of at least {@code minBytes} bytes (surrounding
     * whitespace not counted). The secret itself never appears in an error.
     */
    static ValueParser<Path> secretFile(Path baseDir, String what, int minBytes) {
        return readableFile(baseDir, what).then(p -> {
            long size;
            try {
                size = new String(Files.readAllBytes(p), java.nio.charset.StandardCharsets.UTF_8).strip().length();
            } catch (java.io.IOException e) {
                throw new Invalid(what + " '" + p + "' cannot be read: " + e.getMessage());
            }
            if (size < minBytes) {
                throw new Invalid(what + " '" + p + "' holds " + size + " characters; a key needs at least "
                        + minBytes + " (e.g. 32 random bytes, base64)");
            }
            return p;
        });
    }

    /** TLSv1.2 or TLSv1.3: older versions are not offered. */
    static ValueParser<String> tlsProtocol() {
        return node -> {
            String t = text(node, "TLSv1.2 or TLSv1.3");
            if (!t.equals("TLSv1.2") && !t.equals("TLSv1.3")) {
                throw new Invalid("unsupported TLS version '" + t + "'; expected TLSv1.2 or TLSv1.3"
                        + (t.startsWith("TLSv1") || t.startsWith("SSL") ? " (older versions are insecure)" : ""));
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

    static ValueParser<String> regex() {
        return node -> {
            String t = text(node, "a regular expression");
            try {
                Pattern.compile(t);
                return t;
            } catch (PatternSyntaxException e) {
                throw new Invalid("invalid regular expression '" + t + "': " + e.getDescription()
                        + (e.getIndex() >= 0 ? " near index " + e.getIndex() : ""));
            }
        };
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

    /** An exact host name or {@code *.suffix} (host and sni matches), lower-cased. */
    static ValueParser<String> hostPattern(String what) {
        return node -> {
            String t = text(node, "a host name or *.suffix");
            String host = t.startsWith("*.") ? t.substring(2) : t;
            if (host.indexOf(':') >= 0 && !Addresses.isIpv6(host)) {
                throw new Invalid(what + " '" + t + "' must not contain a port; expected a host name or *.suffix");
            }
            boolean ok = t.startsWith("*.") ? Addresses.isDnsName(host) : Addresses.isValidHost(host);
            if (!ok) {
                throw new Invalid("invalid " + what + " '" + t + "'; expected an exact host name (api.example.com)"
                        + " or a wildcard *.suffix (*.example.com)");
            }
            String lower = t.toLowerCase(Locale.ROOT);
            return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
        };
    }

    /** A network interface name (Linux: at most 15 characters, no '/' or spaces). */
    static ValueParser<String> interfaceName() {
        return node -> {
            String t = text(node, "a network interface name like eth0");
            if (!INTERFACE.matcher(t).matches()) {
                throw new Invalid("invalid interface name '" + t + "'; expected 1..15 characters like eth0");
            }
            return t;
        };
    }

    /** {@code address/prefix}: an IPv4 literal with 1..32 or an IPv6 literal with 1..128. */
    record Cidr(String address, int prefixLength) {
    }

    static ValueParser<Cidr> cidr() {
        return node -> {
            String t = text(node, "an address with prefix length like 10.0.0.100/24");
            int slash = t.indexOf('/');
            if (slash < 0) {
                throw new Invalid("'" + t + "' has no prefix length; expected address/prefix like 10.0.0.100/24");
            }
            String addr = t.substring(0, slash);
            String prefix = t.substring(slash + 1);
            boolean v4 = Addresses.isIpv4(addr);
            if (!v4 && !Addresses.isIpv6(addr)) {
                throw new Invalid("'" + addr + "' in '" + t + "' is not an IP address; expected address/prefix"
                        + " like 10.0.0.100/24");
            }
            int max = v4 ? 32 : 128;
            int p;
            if (prefix.isEmpty() || prefix.length() > 3 || !prefix.chars().allMatch(c -> c >= '0' && c <= '9')
                    || (p = Integer.parseInt(prefix)) < 1 || p > max) {
                throw new Invalid("invalid prefix length '" + prefix + "' in '" + t + "'; expected 1.." + max);
            }
            return new Cidr(addr, p);
        };
    }

    /** A network for matching peers: {@code address/prefix} (0 allowed), or one bare address. */
    static ValueParser<Subnet> subnet() {
        return node -> {
            String t = text(node, "an IP address or network like 10.0.0.0/8");
            int slash = t.indexOf('/');
            String addr = slash < 0 ? t : t.substring(0, slash);
            boolean v4 = Addresses.isIpv4(addr);
            if (!v4 && !Addresses.isIpv6(addr)) {
                throw new Invalid("'" + addr + "' is not an IP address; expected an address or a network like"
                        + " 10.0.0.0/8 or 2001:db8::/32");
            }
            int max = v4 ? 32 : 128;
            if (slash < 0) {
                return new Subnet(addr, max);
            }
            String prefix = t.substring(slash + 1);
            if (prefix.isEmpty() || prefix.length() > 3 || !prefix.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(prefix) > max) {
                throw new Invalid("invalid prefix length '" + prefix + "' in '" + t + "'; expected 0.." + max);
            }
            return new Subnet(addr, Integer.parseInt(prefix));
        };
    }

    /**
     * A file Fulcrum appends to: {@code stdout}, or a path whose directory exists and is
     * writable (the file itself is created when missing).
     */
    static ValueParser<Optional<Path>> appendableFile(Path baseDir, String what) {
        return node -> {
            String t = text(node, "stdout or the path of " + what);
            if (t.equals("stdout")) {
                return Optional.empty();
            }
            Path p;
            try {
                p = baseDir.resolve(t).toAbsolutePath().normalize();
            } catch (InvalidPathException e) {
                throw new Invalid("invalid path '" + t + "': " + e.getReason());
            }
            Path dir = p.getParent();
            if (Files.isDirectory(p)) {
                throw new Invalid(what + " '" + t + "' is a directory; expected a file path");
            }
            if (dir == null || !Files.isDirectory(dir)) {
                throw new Invalid("the directory of " + what + " '" + t + "' does not exist (" + dir + ")");
            }
            if (Files.exists(p) ? !Files.isWritable(p) : !Files.isWritable(dir)) {
                throw new Invalid(what + " '" + t + "' is not writable");
            }
            return Optional.of(p);
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

    /** One of a few allowed integers, e.g. the redirect status codes. */
    static ValueParser<Integer> integerOf(List<Integer> allowed) {
        return integer(Integer.MIN_VALUE, Integer.MAX_VALUE).then(v -> {
            if (!allowed.contains(v)) {
                throw new Invalid(v + " is not allowed here; expected one of " + allowed);
            }
            return v;
        });
    }

    /** One of a few allowed words. */
    static ValueParser<String> oneOf(List<String> allowed, String what) {
        return node -> {
            String t = text(node, what);
            if (!allowed.contains(t)) {
                throw new Invalid("unknown " + what + " '" + t + "'; expected one of " + String.join(", ", allowed));
            }
            return t;
        };
    }

    /** A pool's host_header: {@code server}, or a host[:port] to send as the Host header. */
    /** An HTTP status code ({@code 204}) or range ({@code 200-399}), within 100..599. */
    static ValueParser<StatusRange> statusRange() {
        String expected = "a status code like 200 or a range like 200-399";
        return node -> {
            String t = text(node, expected).trim();
            java.util.regex.Matcher m = STATUS_RANGE.matcher(t);
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

    static ValueParser<String> hostHeader() {
        return node -> {
            String t = text(node, "server, or a host[:port] to send as Host");
            if (t.equals(UpstreamConfig.HOST_SERVER)) {
                return t;
            }
            int colon = t.lastIndexOf(':');
            boolean hasPort = colon > t.lastIndexOf(']') && colon > 0;
            String host = hasPort ? t.substring(0, colon) : t;
            String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            boolean portOk = !hasPort || t.substring(colon + 1).matches("[0-9]{1,5}")
                    && Integer.parseInt(t.substring(colon + 1)) <= 65535;
            if (!portOk || !(Addresses.isDnsName(bare) || Addresses.isIpv4(bare) || Addresses.isIpv6(bare))) {
                throw new Invalid("'" + t + "' is not a host[:port]; expected server, or a host like"
                        + " api.internal or api.internal:8080");
            }
            return t;
        };
    }
}
