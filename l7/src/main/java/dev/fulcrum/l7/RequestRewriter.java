package dev.fulcrum.l7;

import dev.fulcrum.config.UpstreamConfig;
import dev.fulcrum.l7.routing.RouteRequest;
import dev.fulcrum.lbcore.pool.Server;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Optional;

/**
 * Turns a client's request head into what a backend receives, for one client connection:
 * who the client is is known once, the rest comes with each request.
 */
final class RequestRewriter {

    private final String scheme;
    private final InetSocketAddress clientInet;
    private final String clientIp;
    private final String localPort;

    RequestRewriter(String scheme, SocketAddress client, SocketAddress local) {
        this.scheme = scheme;
        this.clientInet = client instanceof InetSocketAddress inet && inet.getAddress() != null ? inet : null;
        this.clientIp = clientInet != null ? clientInet.getAddress().getHostAddress() : String.valueOf(client);
        this.localPort = Integer.toString(local instanceof InetSocketAddress inet ? inet.getPort() : 0);
    }

    String clientIp() {
        return clientIp;
    }

    /**
     * Rewrites in place: the normalised (and route-rewritten) target, HTTP/1.1, hop-by-hop
     * headers gone (Upgrade kept when asked for), forwarding headers, the route's edits last.
     *
     * @param upgrade the protocol the client asks to switch to, or null
     */
    void rewrite(HttpRequest request, RouteRequest routed, CompiledRouteActions actions, ForwardedHeaders forwarding,
                 String upgrade) {
        HttpHeaders headers = request.headers();
        String host = routed.isAbsoluteForm() ? authorityOf(request.uri()) : headers.get(HttpHeaderNames.HOST);
        request.setUri(actions.backendUri(routed));
        HttpVersion clientVersion = request.protocolVersion();
        // We speak HTTP/1.1 to backends whatever the client spoke, and keep those connections alive.
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        // An HTTP/2 client's "te: trailers" (the one value RFC 9113 8.2.2 allows) says it takes
        // trailers; gRPC servers insist on it, so it goes on. From HTTP/1 it is hop-by-hop.
        boolean trailers = clientVersion.majorVersion() == 2 && headers.contains(HttpHeaderNames.TE);
        HopByHopHeaders.strip(headers);
        if (trailers) {
            headers.set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
        }
        if (upgrade != null) {
            UpgradeTunnel.keepUpgradeHeaders(headers, upgrade);
        }
        if (routed.isAbsoluteForm()) {
            headers.set(HttpHeaderNames.HOST, host);
        }
        forwarding.onRequest(headers, clientInet, clientIp, clientVersion, scheme, host, localPort);
        actions.editRequest(headers);
    }

    /** The pool's host_header for the server this try goes to; the client's Host otherwise. */
    static void setHost(HttpRequest request, UpstreamConfig upstream, Server server) {
        Optional<String> hostHeader = upstream.hostHeader();
        if (hostHeader.isPresent()) {
            String host = hostHeader.get();
            request.headers().set(HttpHeaderNames.HOST, host.equals(UpstreamConfig.HOST_SERVER) ? server.authority() : host);
        }
    }

    static String authorityOf(String absoluteUri) {
        int start = absoluteUri.indexOf("//") + 2;
        int end = start;
        while (end < absoluteUri.length() && "/?#".indexOf(absoluteUri.charAt(end)) < 0) {
            end++;
        }
        return absoluteUri.substring(start, end);
    }
}
