package dev.fulcrum.lbcore.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.Function;

/**
 * The meters one runtime object registered (a configuration snapshot, a set of health checks),
 * so they leave the registry when it closes: those no other open scope holds.
 *
 * <p>Micrometer hands out one meter per id: the snapshot that replaces another registers the
 * same ids, gets the same meters and they keep counting, while the old one still serves its
 * last requests. Each registry has a count of the open scopes holding each id; closing a scope
 * lets go of its ids, and an id no open scope holds any longer is removed from the registry
 * (the meters of removed routes, servers and listeners). Registering and closing take that
 * count's lock: they happen when a snapshot is built or closed, never per request.
 */
public final class MeterScope implements AutoCloseable {

    /** By registry, compared by identity; a registry no one uses any more takes its counts with it. */
    private static final Map<MeterRegistry, Holders> HOLDERS = new WeakHashMap<>();

    private final MeterRegistry registry;
    private final Holders holders;
    private final Set<Meter.Id> held = new HashSet<>();
    private boolean closed;

    private MeterScope(MeterRegistry registry, Holders holders) {
        this.registry = registry;
        this.holders = holders;
    }

    /** A new, empty scope on the registry. */
    public static MeterScope open(MeterRegistry registry) {
        Holders holders;
        synchronized (HOLDERS) {
            holders = HOLDERS.computeIfAbsent(registry, r -> new Holders());
        }
        return new MeterScope(registry, holders);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /**
     * Registers a meter (or gets the one of that id already registered) and holds its id until
     * this scope closes. Typical: {@code scope.register(Counter.builder(NAME).tags(...)::register)}.
     * After {@link #close()} the meter is still returned, but stays registered only if another
     * scope holds it.
     */
    public <M extends Meter> M register(Function<MeterRegistry, M> registration) {
        synchronized (holders) {
            M meter = registration.apply(registry);
            Meter.Id id = meter.getId();
            if (closed) {
                if (holders.count(id) == 0) {
                    registry.remove(meter);
                }
            } else if (held.add(id)) {
                holders.add(id);
            }
            return meter;
        }
    }

    /**
     * Registers a meter anew, first removing one of the same id whoever registered it: for
     * gauges that read an object a reload replaced (Micrometer would hand back the old gauge).
     * The id is held as by {@link #register}.
     */
    public <M extends Meter> M replace(Function<MeterRegistry, M> registration) {
        synchronized (holders) {
            M meter = registration.apply(registry);
            registry.remove(meter);
            return register(registration);
        }
    }

    /** Whether this scope holds the meter's id. */
    public boolean holds(Meter meter) {
        synchronized (holders) {
            return held.contains(meter.getId());
        }
    }

    /** Lets go of every id; removes from the registry the meters no open scope holds. Idempotent. */
    @Override
    public void close() {
        synchronized (holders) {
            if (closed) {
                return;
            }
            closed = true;
            for (Meter.Id id : held) {
                if (holders.release(id)) {
                    registry.remove(id);
                }
            }
            held.clear();
        }
    }

    /** How many open scopes hold each id of one registry. */
    private static final class Holders {
        private final Map<Meter.Id, Integer> counts = new HashMap<>();

        int count(Meter.Id id) {
            return counts.getOrDefault(id, 0);
        }

        void add(Meter.Id id) {
            counts.merge(id, 1, Integer::sum);
        }

        /** @return true when no scope holds the id any longer */
        boolean release(Meter.Id id) {
            Integer left = counts.computeIfPresent(id, (k, n) -> n == 1 ? null : n - 1);
            return left == null;
        }
    }
}
