package dev.fulcrum.lbcore.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MeterScopeTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private static Counter counter(MeterScope scope, String route) {
        return scope.register(Counter.builder("requests").tag("route", route)::register);
    }

    @Test
    void aMeterLeavesWithTheLastScopeHoldingIt() {
        MeterScope old = MeterScope.open(registry);
        counter(old, "kept").increment();
        counter(old, "removed").increment();
        MeterScope next = MeterScope.open(registry);
        Counter kept = counter(next, "kept");
        assertThat(kept.count()).as("the same meter, still counting").isEqualTo(1);

        old.close();
        assertThat(registry.find("requests").tag("route", "removed").counter()).isNull();
        assertThat(registry.find("requests").tag("route", "kept").counter()).isSameAs(kept);
        old.close();
        assertThat(registry.find("requests").tag("route", "kept").counter()).as("closing twice").isSameAs(kept);

        next.close();
        assertThat(registry.find("requests").counters()).isEmpty();
    }

    @Test
    void aClosedScopeRegistersNothingThatStays() {
        MeterScope scope = MeterScope.open(registry);
        scope.close();
        counter(scope, "late").increment();
        assertThat(registry.find("requests").counters()).isEmpty();
        MeterScope other = MeterScope.open(registry);
        Counter held = counter(other, "late");
        counter(scope, "late");
        assertThat(registry.find("requests").counter()).as("held by the open scope").isSameAs(held);
    }

    @Test
    void replacingAGaugeBindsTheNewObjectAndKeepsTheIdWhileEitherHoldsIt() {
        AtomicInteger before = new AtomicInteger(1);
        AtomicInteger after = new AtomicInteger(2);
        MeterScope old = MeterScope.open(registry);
        old.replace(Gauge.builder("up", before, AtomicInteger::get)::register);
        MeterScope next = MeterScope.open(registry);
        next.replace(Gauge.builder("up", after, AtomicInteger::get)::register);
        assertThat(registry.get("up").gauge().value()).isEqualTo(2);
        old.close();
        assertThat(registry.get("up").gauge().value()).isEqualTo(2);
        next.close();
        assertThat(registry.find("up").gauge()).isNull();
    }

    @Test
    void scopesOfOneRegistryCountTogetherAndOthersApart() {
        SimpleMeterRegistry other = new SimpleMeterRegistry();
        MeterScope a = MeterScope.open(registry);
        MeterScope b = MeterScope.open(other);
        counter(a, "x");
        counter(b, "x");
        a.close();
        assertThat(registry.find("requests").counters()).isEmpty();
        assertThat(other.find("requests").counters()).hasSize(1);
    }
}
