package dev.fulcrum.config;

import static dev.fulcrum.config.Protocol.HTTP;
import static dev.fulcrum.config.Protocol.HTTPS;
import static dev.fulcrum.config.Protocol.TCP;
import static dev.fulcrum.config.Protocol.TLS;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * The one table of which keys each listener protocol allows, for listeners, their routes and
 * route matches. A key not in the table is allowed on every protocol; a key of a section follows
 * its section (the keys inside {@code timeouts} need no rule of their own). A key in a nested
 * mapping is written with a dot ({@code tls.client_cert_header}).
 *
 * <p>A key written where its protocol does not allow it is reported at the key, as
 * {@code 'KEY' applies only to A and B listeners, not C} and a hint.
 */
final class ProtocolKeys {

    /** Where a key is written. */
    enum Scope {
        LISTENER(""), ROUTE(" on a route"), MATCH(" in a match");

        private final String where;

        Scope(String where) {
            this.where = where;
        }
    }

    /** What follows the message, given the section the key is in and the listener's protocol. */
    @FunctionalInterface
    interface Hint {
        String text(MapReader section, Protocol protocol);

        Hint NONE = (r, p) -> "";

        static Hint of(String text) {
            return (r, p) -> text;
        }
    }

    record Rule(Scope scope, String key, Set<Protocol> allowed, Hint hint) {
    }

    private static final Set<Protocol> L7 = EnumSet.of(HTTP, HTTPS);
    private static final Set<Protocol> L4 = EnumSet.of(TCP, TLS);
    private static final Set<Protocol> TERMINATES_TLS = EnumSet.of(HTTPS, TLS);

    private static final List<Rule> RULES = List.of(
            // listeners
            listener("pool", L4, (r, p) -> " (an " + p.key() + " listener routes each request: write routes: [{pool: "
                    + r.node("pool").map(ProtocolKeys::plain).orElse("NAME") + "}] instead)"),
            listener("proxy_protocol", L4),
            listener("idle_timeout", L4),
            listener("splice", L4),
            listener("accept_proxy_protocol", L4),
            listener("forwarding", L7, (r, p) -> " (a " + p.key() + " listener passes bytes through;"
                    + " use proxy_protocol to tell backends the client address)"),
            listener("access_log", L7, Hint.of(" (for now)")),
            listener("timeouts", L7),
            listener("limits", L7),
            listener("http2", L7),
            listener("tls", TERMINATES_TLS),
            listener("tls.client_cert_header", EnumSet.of(HTTPS),
                    Hint.of(" (a tls listener forwards bytes and sends no headers)")),
            listener("certificates", TERMINATES_TLS, (r, p) -> " (use protocol: " + (p.isHttp() ? "https" : "tls")
                    + " to terminate TLS)"),
            // routes
            route("timeouts"),
            route("limits"),
            route("retries"),
            route("buffer_request"),
            route("strip_prefix"),
            route("rewrite_path"),
            route("request_headers"),
            route("response_headers"),
            route("redirect"),
            route("respond"),
            // matches
            httpMatch("host"),
            httpMatch("path"),
            httpMatch("path_prefix"),
            httpMatch("path_regex"),
            httpMatch("method"),
            httpMatch("headers"),
            httpMatch("query"),
            httpMatch("cookie"),
            new Rule(Scope.MATCH, "sni", L4, (r, p) -> " (on an " + p.key() + " listener match on 'host')"));

    private ProtocolKeys() {
    }

    private static Rule listener(String key, Set<Protocol> allowed) {
        return listener(key, allowed, Hint.NONE);
    }

    private static Rule listener(String key, Set<Protocol> allowed, Hint hint) {
        return new Rule(Scope.LISTENER, key, allowed, hint);
    }

    private static Rule route(String key) {
        return new Rule(Scope.ROUTE, key, L7, Hint.NONE);
    }

    private static Rule httpMatch(String key) {
        return new Rule(Scope.MATCH, key, L7, (r, p) -> " (a " + p.key() + " listener matches only on 'sni')");
    }

    static List<Rule> rules() {
        return RULES;
    }

    /** Whether {@code protocol} allows {@code key} in {@code scope}. */
    static boolean allows(Scope scope, String key, Protocol protocol) {
        return RULES.stream().filter(rule -> rule.scope() == scope && rule.key().equals(key))
                .allMatch(rule -> rule.allowed().contains(protocol));
    }

    /**
     * Reports every key of {@code section} (a listener, route or match read by {@code r}) that
     * {@code protocol} does not allow. Call it after the section's keys were read.
     */
    static void check(MapReader r, Scope scope, Protocol protocol) {
        Set<String> reported = new HashSet<>();
        for (Rule rule : RULES) {
            if (rule.scope() != scope || rule.allowed().contains(protocol) || coveredBy(rule.key(), reported)) {
                continue;
            }
            String[] parts = rule.key().split("\\.");
            Optional<Node> keyNode = r.keyNode(parts[0]);
            Node value = r.node(parts[0]).orElse(null);
            for (int i = 1; i < parts.length && keyNode.isPresent(); i++) {
                NodeTuple t = value instanceof MappingNode m ? tuple(m, parts[i]) : null;
                keyNode = Optional.ofNullable(t).map(NodeTuple::getKeyNode);
                value = t == null ? null : t.getValueNode();
            }
            if (keyNode.isEmpty()) {
                continue;
            }
            reported.add(rule.key());
            r.ctx().error(keyNode.get(), r.path(rule.key()), "'" + rule.key() + "'" + scope.where
                    + " applies only to " + describe(rule.allowed()) + " listeners, not " + protocol.key()
                    + rule.hint().text(r, protocol));
        }
    }

    /** "http and https", "https", "http, https and tcp". */
    static String describe(Set<Protocol> protocols) {
        List<String> keys = new ArrayList<>();
        protocols.forEach(p -> keys.add(p.key()));
        if (keys.size() == 1) {
            return keys.get(0);
        }
        return String.join(", ", keys.subList(0, keys.size() - 1)) + " and " + keys.get(keys.size() - 1);
    }

    private static boolean coveredBy(String key, Set<String> reported) {
        for (String r : reported) {
            if (key.startsWith(r + ".")) {
                return true;
            }
        }
        return false;
    }

    private static NodeTuple tuple(MappingNode m, String key) {
        for (NodeTuple t : m.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode s && s.getValue().equals(key)) {
                return t;
            }
        }
        return null;
    }

    /** A scalar's text for a suggestion, or a placeholder. */
    private static String plain(Node n) {
        try {
            return Scalars.text(n, "");
        } catch (Invalid e) {
            return "NAME";
        }
    }
}
