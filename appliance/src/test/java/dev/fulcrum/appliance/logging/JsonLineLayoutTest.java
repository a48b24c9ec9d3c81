package dev.fulcrum.appliance.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;

class JsonLineLayoutTest {

    @Test
    void anEventIsOneJsonLineWithItsExceptionEscaped() {
        LoggerContext context = new LoggerContext();
        Logger logger = context.getLogger("dev.fulcrum.test");
        LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, Level.WARN,
                "server {}/{}: down: \"3 failed checks\"\nsecond line", new IllegalStateException("boom"),
                new Object[] {"web", "a1"});
        event.setThreadName("fulcrum-io-1");
        event.setTimeStamp(0);
        JsonLineLayout layout = new JsonLineLayout();
        layout.setContext(context);
        layout.start();

        String line = layout.doLayout(event);

        assertThat(line).startsWith("{\"time\":\"1970-01-01T00:00:00Z\",\"level\":\"WARN\","
                + "\"logger\":\"dev.fulcrum.test\",\"thread\":\"fulcrum-io-1\","
                + "\"message\":\"server web/a1: down: \\\"3 failed checks\\\"\\nsecond line\","
                + "\"exception\":\"java.lang.IllegalStateException: boom\\n");
        assertThat(line).endsWith("}" + System.lineSeparator());
        assertThat(line.strip()).doesNotContain("\n");
    }
}
