package dev.fulcrum.testing;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Turns a leak the Netty detector logs into a failed test. A module registers it in its
 * logback-test.xml as the appender of {@code io.netty.util.ResourceLeakDetector}.
 */
public final class LeakReports extends AppenderBase<ILoggingEvent> {

    private static final List<String> REPORTS = new CopyOnWriteArrayList<>();

    @Override
    protected void append(ILoggingEvent event) {
        if (event.getFormattedMessage().contains("LEAK")) {
            REPORTS.add(event.getFormattedMessage());
        }
    }

    public static void reset() {
        REPORTS.clear();
    }

    /** The detector reports on allocation after a collection: collect, allocate, then check. */
    public static void assertNone() {
        for (int round = 0; round < 3; round++) {
            System.gc();
            for (int i = 0; i < 64; i++) {
                ByteBuf probe = ByteBufAllocator.DEFAULT.directBuffer(16);
                probe.release();
            }
        }
        assertThat(REPORTS).as("leaked buffers").isEmpty();
    }
}
