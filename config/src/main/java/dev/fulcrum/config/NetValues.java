package dev.fulcrum.config;

import static dev.fulcrum.config.Scalars.text;

import java.util.Locale;
import java.util.regex.Pattern;

/** Parsers for network values: addresses, networks, host names, interfaces and TLS versions. */
final class NetValues {

    private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.:@-]{1,15}");

    private NetValues() {
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

    /** A pool's host_header: {@code server}, or a host[:port] to send as the Host header. */
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
}
