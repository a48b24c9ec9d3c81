package dev.fulcrum.ha;

import dev.fulcrum.lbcore.metrics.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** The pair's meters, registered once: state, adverts sent, received and rejected, transitions, takeover time. */
final class HaMeters {

    static final String ADVERTS_SENT = "fulcrum.ha.adverts.sent";
    static final String ADVERTS_RECEIVED = "fulcrum.ha.adverts.received";
    static final String ADVERTS_REJECTED = "fulcrum.ha.adverts.rejected";
    static final String TRANSITIONS = "fulcrum.ha.transitions";
    static final String LAST_TAKEOVER = "fulcrum.ha.last.takeover";

    final Counter sent;
    final Counter received;
    private final Map<AdvertCodec.Rejection, Counter> rejected = new EnumMap<>(AdvertCodec.Rejection.class);
    private final MeterRegistry registry;
    private final String node;
    private final AtomicLong lastTakeoverMillis = new AtomicLong();

    HaMeters(MeterRegistry registry, String node, Supplier<HaState> state) {
        this.registry = registry;
        this.node = node;
        for (HaState s : HaState.values()) {
            Gauge.builder(MetricNames.HA_STATE, () -> state.get() == s ? 1 : 0).tag("node", node).tag("state", s.key())
                    .description("1 for the state this node is in").register(registry);
        }
        sent = Counter.builder(ADVERTS_SENT).tag("node", node).description("adverts sent to peers").register(registry);
        received = Counter.builder(ADVERTS_RECEIVED).tag("node", node).description("valid adverts received")
                .register(registry);
        for (AdvertCodec.Rejection why : AdvertCodec.Rejection.values()) {
            rejected.put(why, Counter.builder(ADVERTS_REJECTED).tag("node", node)
                    .tag("reason", why.name().toLowerCase(java.util.Locale.ROOT))
                    .description("adverts dropped, by reason").register(registry));
        }
        Gauge.builder(LAST_TAKEOVER, lastTakeoverMillis, v -> v.get() / 1000.0).tag("node", node).baseUnit("seconds")
                .description("from the last advert of the old master to this node becoming master")
                .register(registry);
    }

    void rejected(AdvertCodec.Rejection why) {
        rejected.get(why).increment();
    }

    void transition(HaState from, HaState to) {
        // Rare: a lookup per transition is fine.
        Counter.builder(TRANSITIONS).tag("node", node).tag("from", from.key()).tag("to", to.key())
                .description("state changes").register(registry).increment();
    }

    void takeover(long millis) {
        lastTakeoverMillis.set(millis);
    }
}
