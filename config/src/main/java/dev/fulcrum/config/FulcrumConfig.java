package dev.fulcrum.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One whole, validated configuration snapshot. Immutable: a reload builds a new one.
 *
 * @param source the file it was read from (or a name given to in-memory text)
 * @param workers event-loop threads; absent means one per core
 * @param pools by name, in the order they were written
 */
public record FulcrumConfig(
        String source,
        Optional<Integer> workers,
        AdminConfig admin,
        List<CertificateConfig> certificates,
        List<ListenerConfig> listeners,
        Map<String, PoolConfig> pools,
        Optional<HaConfig> ha) {

    public FulcrumConfig {
        certificates = List.copyOf(certificates);
        listeners = List.copyOf(listeners);
        pools = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(pools));
    }

    public Optional<ListenerConfig> listener(String name) {
        return listeners.stream().filter(l -> l.name().equals(name)).findFirst();
    }

    public Optional<PoolConfig> pool(String name) {
        return Optional.ofNullable(pools.get(name));
    }
}
