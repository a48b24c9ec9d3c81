package dev.fulcrum.appliance;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocatorMetric;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Gauges for the buffer allocator of the proxy's channels. No channel sets {@code ALLOCATOR}, so
 * that is {@link ByteBufAllocator#DEFAULT}: in Netty 4.2 the adaptive allocator, or the pooled
 * one with {@code -Dio.netty.allocator.type=pooled}. Every allocator reports its used memory;
 * only the pooled one has arenas, thread-local caches and a chunk size to report.
 */
public final class NettyAllocatorMetrics implements MeterBinder {

    /** Bytes the allocator holds, tagged {@code type} (direct or heap) and {@code allocator}. */
    public static final String MEMORY_USED = "fulcrum.netty.allocator.memory.used";
    /** Arenas of the pooled allocator, tagged {@code type}. */
    public static final String ARENAS = "fulcrum.netty.allocator.arenas";
    /** Thread-local caches of the pooled allocator (one per thread that allocated). */
    public static final String THREAD_LOCAL_CACHES = "fulcrum.netty.allocator.thread.local.caches";
    /** Size of the pooled allocator's chunks: the unit in which it takes memory from the system. */
    public static final String CHUNK_SIZE = "fulcrum.netty.allocator.chunk.size";
    public static final String TAG_TYPE = "type";
    /** Which allocator: adaptive, pooled, unpooled (or the class name of another). */
    public static final String TAG_ALLOCATOR = "allocator";

    private final ByteBufAllocator allocator;

    /** For the allocator the proxy's channels really use. */
    public NettyAllocatorMetrics() {
        this(ByteBufAllocator.DEFAULT);
    }

    NettyAllocatorMetrics(ByteBufAllocator allocator) {
        this.allocator = allocator;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        if (allocator instanceof ByteBufAllocatorMetricProvider provider) {
            ByteBufAllocatorMetric metric = provider.metric();
            String kind = kind(allocator);
            used(registry, metric, kind, "direct", ByteBufAllocatorMetric::usedDirectMemory);
            used(registry, metric, kind, "heap", ByteBufAllocatorMetric::usedHeapMemory);
        }
        if (allocator instanceof PooledByteBufAllocator pooled) {
            bindPooled(registry, pooled.metric());
        }
    }

    private static void used(MeterRegistry registry, ByteBufAllocatorMetric metric, String kind, String type,
                             ToDoubleFunction<ByteBufAllocatorMetric> bytes) {
        Gauge.builder(MEMORY_USED, metric, bytes).tag(TAG_ALLOCATOR, kind).tag(TAG_TYPE, type)
                .baseUnit(BaseUnits.BYTES).description("memory held by Netty's buffer allocator")
                .strongReference(true).register(registry);
    }

    private static void bindPooled(MeterRegistry registry, PooledByteBufAllocatorMetric metric) {
        Gauge.builder(ARENAS, metric, PooledByteBufAllocatorMetric::numDirectArenas).tag(TAG_TYPE, "direct")
                .description("arenas of the pooled allocator").strongReference(true).register(registry);
        Gauge.builder(ARENAS, metric, PooledByteBufAllocatorMetric::numHeapArenas).tag(TAG_TYPE, "heap")
                .description("arenas of the pooled allocator").strongReference(true).register(registry);
        Gauge.builder(THREAD_LOCAL_CACHES, metric, PooledByteBufAllocatorMetric::numThreadLocalCaches)
                .description("thread-local caches of the pooled allocator").strongReference(true).register(registry);
        Gauge.builder(CHUNK_SIZE, metric, PooledByteBufAllocatorMetric::chunkSize).baseUnit(BaseUnits.BYTES)
                .description("chunk size of the pooled allocator").strongReference(true).register(registry);
    }

    static String kind(ByteBufAllocator allocator) {
        if (allocator instanceof AdaptiveByteBufAllocator) {
            return "adaptive";
        }
        if (allocator instanceof PooledByteBufAllocator) {
            return "pooled";
        }
        if (allocator instanceof UnpooledByteBufAllocator) {
            return "unpooled";
        }
        return allocator.getClass().getSimpleName().toLowerCase(Locale.ROOT);
    }
}
