package dev.fulcrum.l7;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects what Netty's leak detector logs, so a test fails on a leaked buffer instead of
 * printing a warning nobody reads. Registered for the detector's logger in logback-test.xml.
 */
public final class LeakLog extends AppenderBase<ILoggingEvent> {

    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    @Override
    protected void append(ILoggingEvent event) {
        if (event.getFormattedMessage().contains("LEAK")) {
            LEAKS.add(event.getFormattedMessage());
        }
    }

    static void reset() {
        LEAKS.clear();
    }

    /** Collects garbage and allocates, which is when the detector reports, then checks. */
    static void assertNoLeaks() {
        for (int round = 0; round < 3; round++) {
            System.gc();
            for (int i = 0; i < 64; i++) {
                ByteBuf probe = ByteBufAllocator.DEFAULT.directBuffer(16);
                probe.release();
            }
        }
        assertThat(LEAKS).as("leaked buffers").isEmpty();
    }
}
