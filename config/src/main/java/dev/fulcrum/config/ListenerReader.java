package dev.fulcrum.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** Reads the {@code listeners} list: sockets, protocols, the http edge, relay and TLS settings; routes via {@link RouteReader}. */
final class ListenerReader {

    private final ParseContext ctx;
    private final References refs;
    private final FileValues files;
    private final RouteReader routes;
    private final Http2Reader http2;

    ListenerReader(ParseContext ctx, References refs) {
        this.ctx = ctx;
        this.refs = refs;
        this.files = ctx.files();
        this.routes = new RouteReader(refs);
        this.http2 = new Http2Reader(ctx);
    }

    List<ListenerConfig> listeners(MapReader root) {
        if (!root.require("listeners")) {
            return List.of();
        }
        root.node("listeners").filter(n -> n instanceof SequenceNode s && s.getValue().isEmpty())
                .ifPresent(n -> ctx.error(n, "listeners", "expected at least one listener"));
        Map<String, Location> seen = new HashMap<>();
        return root.sections("listeners", "listener", (lr, i) -> listener(lr, seen));
    }

    private ListenerConfig listener(MapReader r, Map<String, Location> seen) {
        Optional<String> name = r.required("name", Scalars.name("listener"));
        name.ifPresent(n -> refs.unique(seen, n, r, "listener", null));
        Optional<Endpoint> bind = r.required("bind", NetValues.endpoint(true));
        bind.ifPresent(b -> refs.bind(b, r, "bind", "listener '" + name.orElse(r.path()) + "'"));
        Optional<Protocol> protocol = r.required("protocol", Scalars.enumOf(Protocol.class, "protocol"));
        List<String> certificates = r.list("certificates", refs.certificateRef());
        Optional<String> pool = r.optional("pool", refs.poolRef());
        pool.ifPresent(p -> refs.checkHashKeyVisible(r, p, protocol));
        ProxyProtocol proxy = r.optional("proxy_protocol", Scalars.enumOf(ProxyProtocol.class, "proxy_protocol"),
                ProxyProtocol.NONE);
        Map<String, Location> routeNames = new HashMap<>();
        List<RouteConfig> routeList = r.sections("routes", "route",
                (rr, i) -> routes.route(rr, i, protocol, routeNames));
        ForwardingConfig forwarding = r.section("forwarding", "forwarding", this::forwarding)
                .orElse(ForwardingConfig.DEFAULTS);
        Optional<AccessLogConfig> accessLog = r.section("access_log", "access_log", this::accessLog);
        HttpEdgeConfig edge = httpEdge(r);
        int maxConnections = r.optional("max_connections", Scalars.integer(0, Integer.MAX_VALUE), 0);
        TcpOptions tcp = tcpOptions(r);
        ListenerTls tls = r.section("tls", "listener_tls", this::listenerTls).orElse(ListenerTls.DEFAULTS);

        protocol.ifPresent(p -> checkShape(r, p));
        if (name.isEmpty() || bind.isEmpty() || protocol.isEmpty()) {
            return null;
        }
        return new ListenerConfig(name.get(), bind.get(), protocol.get(), routeList, pool, certificates, proxy,
                r.location(), edge, forwarding, accessLog, maxConnections, tcp, tls);
    }

    private ListenerTls listenerTls(MapReader r) {
        ListenerTls d = ListenerTls.DEFAULTS;
        List<String> protocols = r.list("protocols", NetValues.tlsProtocol());
        return new ListenerTls(
                protocols.isEmpty() ? d.protocols() : protocols,
                r.list("ciphers", Scalars.string("a cipher suite name")),
                r.optional("client_ca", files.readableFile("client CA bundle")),
                r.optional("client_auth", Scalars.enumOf(ListenerTls.ClientAuth.class, "client_auth"),
                        r.has("client_ca") ? ListenerTls.ClientAuth.REQUIRE : ListenerTls.ClientAuth.NONE),
                r.optional("client_cert_header", HttpValues.headerName(), d.clientCertHeader()),
                r.optional("session_ticket_rotation", Scalars.positiveDuration(), d.ticketKeyRotation()),
                r.optional("session_ticket_key_file", files.secretFile("session ticket key file", 32)));
    }

    private TcpOptions tcpOptions(MapReader r) {
        TcpOptions d = TcpOptions.DEFAULTS;
        return new TcpOptions(
                r.optional("idle_timeout", Scalars.positiveDuration(), d.idleTimeout()),
                r.optional("splice", Scalars.bool(), d.splice()),
                r.list("accept_proxy_protocol", NetValues.subnet()),
                r.optional("drain_timeout", Scalars.positiveDuration(), d.drainTimeout()));
    }

    private AccessLogConfig accessLog(MapReader r) {
        return new AccessLogConfig(
                r.optional("format", Scalars.enumOf(AccessLogConfig.Format.class, "access log format"),
                        AccessLogConfig.Format.COMBINED),
                r.optional("path", files.appendableFile("access log"), Optional.empty()));
    }

    private ForwardingConfig forwarding(MapReader r) {
        ForwardingConfig d = ForwardingConfig.DEFAULTS;
        return new ForwardingConfig(
                r.list("trusted_proxies", NetValues.subnet()),
                r.optional("x_forwarded", Scalars.bool(), d.xForwarded()),
                r.optional("forwarded", Scalars.bool(), d.forwarded()),
                r.optional("via", Scalars.bool(), d.via()));
    }

    private HttpEdgeConfig httpEdge(MapReader r) {
        ListenerTimeouts timeouts = r.section("timeouts", "listener_timeouts", this::listenerTimeouts)
                .orElse(ListenerTimeouts.DEFAULTS);
        ListenerLimits limits = r.section("limits", "listener_limits", this::listenerLimits)
                .orElse(ListenerLimits.DEFAULTS);
        return new HttpEdgeConfig(timeouts, limits, http2.listener(r));
    }

    private ListenerTimeouts listenerTimeouts(MapReader r) {
        return new ListenerTimeouts(
                r.optional("request_header", Scalars.positiveDuration(), ListenerTimeouts.DEFAULT_REQUEST_HEADER),
                r.optional("request_body", Scalars.positiveDuration(), ListenerTimeouts.DEFAULT_REQUEST_BODY),
                r.optional("client_idle", Scalars.positiveDuration(), ListenerTimeouts.DEFAULT_CLIENT_IDLE),
                r.optional("client_write", Scalars.positiveDuration(), ListenerTimeouts.DEFAULT_CLIENT_WRITE),
                r.optional("tunnel_idle", Scalars.positiveDuration(), ListenerTimeouts.DEFAULT_TUNNEL_IDLE));
    }

    private ListenerLimits listenerLimits(MapReader r) {
        return new ListenerLimits(
                r.optional("request_line", Scalars.size(ListenerLimits.MIN_REQUEST_LINE, ListenerLimits.MAX_REQUEST_LINE),
                        ListenerLimits.DEFAULT_REQUEST_LINE),
                r.optional("header_block", Scalars.size(ListenerLimits.MIN_HEADER_BLOCK, ListenerLimits.MAX_HEADER_BLOCK),
                        ListenerLimits.DEFAULT_HEADER_BLOCK),
                r.optional("headers", Scalars.integer(1, ListenerLimits.MAX_HEADERS), ListenerLimits.DEFAULT_HEADERS),
                r.optional("request_body", Scalars.sizeOrUnlimited(), ListenerLimits.DEFAULT_REQUEST_BODY),
                r.optional("min_body_rate", Scalars.rate(), ListenerLimits.DEFAULT_MIN_BODY_RATE));
    }

    /** Keys the protocol does not allow (the table in {@link ProtocolKeys}), and what each protocol needs. */
    private void checkShape(MapReader r, Protocol p) {
        ProtocolKeys.check(r, ProtocolKeys.Scope.LISTENER, p);
        String kind = p.key();
        if (p.isHttp() && !r.has("routes")) {
            r.error("an " + kind + " listener needs 'routes' (first match wins; e.g. routes: [{pool: web}])");
        } else if (!p.isHttp() && !r.has("pool") && !r.has("routes")) {
            r.error("a " + kind + " listener needs a 'pool' (or 'routes' matching on sni)");
        }
        r.node("routes").filter(n -> n instanceof SequenceNode s && s.getValue().isEmpty())
                .ifPresent(n -> ctx.error(n, r.path("routes"), "expected at least one route"));
        boolean tls = p == Protocol.HTTPS || p == Protocol.TLS;
        if (tls && !r.has("certificates")) {
            r.error("a" + (p == Protocol.HTTPS ? "n " : " ") + kind + " listener needs 'certificates'"
                    + " naming entries of the top-level certificates list");
        } else if (tls) {
            r.node("certificates").filter(n -> n instanceof SequenceNode s && s.getValue().isEmpty())
                    .ifPresent(n -> ctx.error(n, r.path("certificates"), "expected at least one certificate name"));
        }
    }
}
