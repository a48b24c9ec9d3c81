package dev.fulcrum.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

class NettyAllocatorMetricsTest {

    private final MeterRegistry registry = new SimpleMeterRegistry();

    private double gauge(String name, String... tags) {
        return registry.get(name).tags(tags).gauge().value();
    }

    @Test
    void theDefaultAllocatorOfNetty42IsTheAdaptiveOneAndItsMemoryIsReported() {
        new NettyAllocatorMetrics().bindTo(registry);

        // Pinned here so that a Netty upgrade changing the default shows up as a failing test.
        assertThat(ByteBufAllocator.DEFAULT).isInstanceOf(AdaptiveByteBufAllocator.class);
        assertThat(registry.get(NettyAllocatorMetrics.MEMORY_USED).gauges()).hasSize(2)
                .allSatisfy(g -> assertThat(g.getId().getTag("allocator")).isEqualTo("adaptive"));
        assertThat(registry.find(NettyAllocatorMetrics.ARENAS).gauges()).as("an adaptive allocator has no arenas")
                .isEmpty();
    }

    @Test
    void usedMemoryFollowsWhatTheAllocatorHolds() {
        AdaptiveByteBufAllocator allocator = new AdaptiveByteBufAllocator(true, true);
        new NettyAllocatorMetrics(allocator).bindTo(registry);
        assertThat(gauge(NettyAllocatorMetrics.MEMORY_USED, "type", "direct")).isZero();

        ByteBuf direct = allocator.directBuffer(64 * 1024);
        ByteBuf heap = allocator.heapBuffer(64 * 1024);
        try {
            assertThat(gauge(NettyAllocatorMetrics.MEMORY_USED, "type", "direct")).isGreaterThanOrEqualTo(64 * 1024);
            assertThat(gauge(NettyAllocatorMetrics.MEMORY_USED, "type", "heap")).isGreaterThanOrEqualTo(64 * 1024);
        } finally {
            direct.release();
            heap.release();
        }
    }

    @Test
    void aPooledAllocatorAlsoReportsArenasCachesAndChunkSize() {
        // 2 heap arenas, 3 direct arenas, 8 KiB pages, max order 9: 4 MiB chunks.
        PooledByteBufAllocator allocator = new PooledByteBufAllocator(true, 2, 3, 8192, 9, 256, 64, true);
        new NettyAllocatorMetrics(allocator).bindTo(registry);

        ByteBuf direct = allocator.directBuffer(1024);
        try {
            assertThat(gauge(NettyAllocatorMetrics.MEMORY_USED, "allocator", "pooled", "type", "direct"))
                    .isEqualTo(4 * 1024 * 1024);
            assertThat(gauge(NettyAllocatorMetrics.MEMORY_USED, "type", "heap")).isZero();
            assertThat(gauge(NettyAllocatorMetrics.ARENAS, "type", "heap")).isEqualTo(2);
            assertThat(gauge(NettyAllocatorMetrics.ARENAS, "type", "direct")).isEqualTo(3);
            assertThat(gauge(NettyAllocatorMetrics.THREAD_LOCAL_CACHES)).isEqualTo(1);
            assertThat(gauge(NettyAllocatorMetrics.CHUNK_SIZE)).isEqualTo(4 * 1024 * 1024);
        } finally {
            direct.release();
        }
    }

    @Test
    void theProcessRegistryScrapesThemUnderPrometheusNames() {
        try (Metrics metrics = new Metrics()) {
            assertThat(metrics.registry().scrape())
                    .contains("# TYPE fulcrum_netty_allocator_memory_used_bytes gauge")
                    .containsPattern("fulcrum_netty_allocator_memory_used_bytes\\{allocator=\"adaptive\",type=\"direct\"} ")
                    .containsPattern("fulcrum_netty_allocator_memory_used_bytes\\{allocator=\"adaptive\",type=\"heap\"} ");
        }
    }
}
