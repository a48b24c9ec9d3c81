package dev.fulcrum.l7;

import dev.fulcrum.config.ForwardingConfig;
import dev.fulcrum.lbcore.TrustedPeers;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Tells the backend who really asked, per one listener's {@link ForwardingConfig}.
 *
 * <p>Whether what a client already wrote is believed depends on the connection's peer: from
 * a trusted proxy, X-Forwarded-For and Forwarded are extended and X-Forwarded-Proto/-Host/-Port
 * kept; from anyone else all of them are replaced, so that a client cannot choose the address
 * a backend logs or rate-limits on. Via is extended in both directions, as RFC 9110 asks of
 * every proxy.
 */
final class ForwardedHeaders {

    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    static final AsciiString X_FORWARDED_PORT = AsciiString.cached("x-forwarded-port");
    static final AsciiString FORWARDED = AsciiString.cached("forwarded");
    private static final String PSEUDONYM = "fulcrum";
    private static final String VIA_11 = "1.1 " + PSEUDONYM;
    private static final String VIA_10 = "1.0 " + PSEUDONYM;
    private static final String VIA_2 = "2 " + PSEUDONYM;

    private final TrustedPeers trusted;
    private final boolean xForwarded;
    private final boolean forwarded;
    private final boolean via;

    ForwardedHeaders(ForwardingConfig config) {
        this.trusted = new TrustedPeers(config.trustedProxies());
        this.xForwarded = config.xForwarded();
        this.forwarded = config.forwarded();
        this.via = config.via();
    }

    boolean trusts(InetSocketAddress peer) {
        return trusted.contains(peer);
    }

    /**
     * Rewrites a request's forwarding headers in place.
     *
     * @param peer the address the connection comes from (null when not an IP socket)
     * @param clientVersion the version the client spoke, for Via
     * @param host the host the client asked for, as written (with port), or null
     * @param localPort the listener port the client connected to, as written in X-Forwarded-Port
     */
    void onRequest(HttpHeaders headers, InetSocketAddress peer, String peerIp, HttpVersion clientVersion,
                   String scheme, String host, String localPort) {
        boolean believe = !trusted.isEmpty() && trusts(peer);
        if (!believe) {
            headers.remove(X_FORWARDED_FOR).remove(X_FORWARDED_PROTO).remove(X_FORWARDED_HOST)
                    .remove(X_FORWARDED_PORT).remove(FORWARDED);
        }
        if (xForwarded) {
            appendList(headers, X_FORWARDED_FOR, peerIp);
            setUnlessKept(headers, X_FORWARDED_PROTO, scheme, believe);
            if (host != null) {
                setUnlessKept(headers, X_FORWARDED_HOST, host, believe);
            }
            setUnlessKept(headers, X_FORWARDED_PORT, localPort, believe);
        }
        if (forwarded) {
            appendList(headers, FORWARDED, forwardedElement(peer, peerIp, scheme, host));
        }
        if (via) {
            appendList(headers, HttpHeaderNames.VIA, via(clientVersion));
        }
    }

    /** RFC 9110 7.6.3: the protocol the request was received with; HTTP/2 is written without a minor version. */
    private static String via(HttpVersion clientVersion) {
        if (clientVersion.majorVersion() == 2) {
            return VIA_2;
        }
        return clientVersion.minorVersion() == 0 ? VIA_10 : VIA_11;
    }

    /** Adds this proxy to a response's Via (we speak HTTP/1.1 to backends). */
    void onResponse(HttpHeaders headers) {
        if (via) {
            appendList(headers, HttpHeaderNames.VIA, VIA_11);
        }
    }

    /** One Forwarded element (RFC 7239 section 4): for, proto and host, quoted where the grammar needs it. */
    static String forwardedElement(InetSocketAddress peer, String peerIp, String scheme, String host) {
        StringBuilder element = new StringBuilder(64).append("for=");
        if (peer != null && peer.getAddress() instanceof Inet6Address) {
            element.append("\"[").append(peerIp).append("]\"");
        } else {
            element.append(peerIp);
        }
        element.append(";proto=").append(scheme);
        if (host != null) {
            element.append(";host=").append(isToken(host) ? host : quoted(host));
        }
        return element.toString();
    }

    private static void appendList(HttpHeaders headers, AsciiString name, String value) {
        // Most requests carry none: skip building a list for them.
        if (!headers.contains(name)) {
            headers.set(name, value);
            return;
        }
        headers.set(name, String.join(", ", headers.getAll(name)) + ", " + value);
    }

    private static void setUnlessKept(HttpHeaders headers, AsciiString name, String value, boolean keep) {
        if (!keep || !headers.contains(name)) {
            headers.set(name, value);
        }
    }

    private static boolean isToken(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return !s.isEmpty();
    }

    private static String quoted(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
