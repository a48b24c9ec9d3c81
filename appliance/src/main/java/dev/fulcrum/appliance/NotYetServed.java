package dev.fulcrum.appliance;

import dev.fulcrum.config.FulcrumConfig;
import dev.fulcrum.config.ListenerConfig;
import dev.fulcrum.config.PoolConfig;
import dev.fulcrum.config.Protocol;
import dev.fulcrum.config.UpstreamProtocol;
import java.util.ArrayList;
import java.util.List;

/**
 * Parts of the configuration format that validate but that this build cannot serve yet.
 * Starting with them is refused loudly rather than running without them: a pool that asks
 * for sticky sessions must not quietly lose them. Entries leave as the features arrive.
 */
final class NotYetServed {

    private NotYetServed() {
    }

    static List<String> find(FulcrumConfig config) {
        List<String> problems = new ArrayList<>();
        for (ListenerConfig listener : config.listeners()) {
            if (listener.protocol() == Protocol.TLS && !listener.routes().isEmpty()) {
                problems.add(listener.location() + ": listener " + listener.name()
                        + ": routes on a tls listener are not served by this version yet; use pool");
            }
        }
        for (PoolConfig pool : config.pools().values()) {
            // The HTTP/1 pool would serve it regardless, and an h2c-only server answers that with garbage.
            if (pool.upstream().protocol() != UpstreamProtocol.HTTP1) {
                problems.add(pool.location() + ": pool " + pool.name() + ": protocol "
                        + pool.upstream().protocol().key() + " (HTTP/2 to the servers) is not served by this version "
                        + "yet; leave it out to speak HTTP/1.1");
            }
        }
        return problems;
    }
}
