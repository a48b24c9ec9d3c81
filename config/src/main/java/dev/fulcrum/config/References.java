package dev.fulcrum.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The checks that look across sections: names used twice, references to pools and
 * certificates that do not exist, pools whose hash key a listener cannot see, and two sockets
 * bound to one address. One instance per parse.
 */
final class References {

    /** A socket some part of the configuration listens on, for the conflict check. */
    private record Bind(Endpoint endpoint, Location location, String path, String owner) {
    }

    private final ParseContext ctx;
    private final Set<String> poolNames = new LinkedHashSet<>();
    private final Set<String> certificateNames = new LinkedHashSet<>();
    /** The pools parsed so far, for checks that listeners make on the pools they use. */
    private Map<String, PoolConfig> pools = Map.of();
    private final List<Bind> binds = new ArrayList<>();

    References(ParseContext ctx) {
        this.ctx = ctx;
    }

    // ---- names that may be referred to -----------------------------------------------------------

    /** Pool names are declared before anything is read: listeners may be written before pools. */
    void declarePool(String name) {
        poolNames.add(name);
    }

    void declareCertificate(String name) {
        certificateNames.add(name);
    }

    /** The pools once parsed, for {@link #checkHashKeyVisible}. */
    void pools(Map<String, PoolConfig> parsed) {
        this.pools = parsed;
    }

    ValueParser<String> poolRef() {
        return node -> {
            String n = Scalars.text(node, "a pool name");
            if (!poolNames.contains(n)) {
                throw new Invalid("unknown pool '" + n + "'" + known(n, poolNames, "pools"));
            }
            return n;
        };
    }

    ValueParser<String> certificateRef() {
        return node -> {
            String n = Scalars.text(node, "a certificate name");
            if (!certificateNames.contains(n)) {
                throw new Invalid("unknown certificate '" + n + "'" + known(n, certificateNames, "certificates"));
            }
            return n;
        };
    }

    /** A did-you-mean hint, else the list of names that would be accepted. */
    private static String known(String name, Set<String> names, String what) {
        String hint = Suggest.hint(name, names);
        if (!hint.isEmpty()) {
            return hint;
        }
        return names.isEmpty() ? "; no " + what + " are defined" : "; defined " + what + ": " + String.join(", ", names);
    }

    // ---- uniqueness ------------------------------------------------------------------------------

    /** Reports a second use of {@code name}, at the name's value when written, else at the section. */
    void unique(Map<String, Location> seen, String name, MapReader r, String what, String scope) {
        Location here = r.node("name").map(ctx::at).orElse(r.location());
        Location first = seen.putIfAbsent(name, here);
        if (first != null) {
            ctx.error(here, r.path("name"), "duplicate " + what + " name '" + name + "' (first used at line "
                    + first.line() + ", column " + first.column() + "); " + what + " names must be unique"
                    + (scope == null ? "" : " within " + scope));
        }
    }

    // ---- pools as seen by listeners --------------------------------------------------------------

    /** A tcp or tls listener sees no headers or cookies: a pool hashing on one cannot serve it. */
    void checkHashKeyVisible(MapReader r, String poolName, Optional<Protocol> protocol) {
        PoolConfig pool = pools.get(poolName);
        if (pool == null || !pool.hashOn().needsHttp() || protocol.isEmpty() || protocol.get().isHttp()) {
            return;
        }
        ctx.error(r.node("pool").orElseThrow(), r.path("pool"), "pool '" + poolName + "' hashes on "
                + pool.hashOn().describe() + " (hash_on), which a " + protocol.get().key()
                + " listener never sees; give it hash_on: source, or use another pool");
    }

    // ---- sockets ---------------------------------------------------------------------------------

    /** A socket written at {@code key} of {@code r}. */
    void bind(Endpoint endpoint, MapReader r, String key, String owner) {
        binds.add(new Bind(endpoint, ctx.at(r.node(key).orElseThrow()), r.path(key), owner));
    }

    /** The admin listener's default socket, which takes part unless admin.bind was written. */
    void defaultAdminBind(Endpoint endpoint) {
        if (binds.isEmpty()) {
            binds.add(new Bind(endpoint, null, "admin.bind", "the admin listener (default bind " + endpoint + ")"));
        }
    }

    /** Reports each socket that another one, written before it, already takes. */
    void checkBindConflicts() {
        for (int i = 0; i < binds.size(); i++) {
            Bind b = binds.get(i);
            if (b.endpoint().port() == 0) {
                continue;
            }
            for (int j = 0; j < i; j++) {
                Bind a = binds.get(j);
                if (a.endpoint().port() != b.endpoint().port()) {
                    continue;
                }
                String ha = Addresses.canonicalHost(a.endpoint().host());
                String hb = Addresses.canonicalHost(b.endpoint().host());
                boolean wild = Addresses.isWildcard(a.endpoint().host()) || Addresses.isWildcard(b.endpoint().host());
                if (ha.equals(hb) || wild) {
                    String why = ha.equals(hb) ? "" : " (" + (Addresses.isWildcard(a.endpoint().host())
                            ? a.endpoint() : b.endpoint()) + " listens on every address of port "
                            + b.endpoint().port() + ")";
                    ctx.error(b.location(), b.path(), "bind " + b.endpoint() + " conflicts with " + a.owner() + " on "
                            + a.endpoint() + why + "; each listener needs its own address and port");
                    break;
                }
            }
        }
    }
}
