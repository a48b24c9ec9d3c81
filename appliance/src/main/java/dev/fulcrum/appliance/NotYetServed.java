package dev.fulcrum.appliance;

import dev.fulcrum.config.FulcrumConfig;
import dev.fulcrum.config.ListenerConfig;
import dev.fulcrum.config.PoolConfig;
import dev.fulcrum.config.Protocol;
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
        }
        return problems;
    }
}
