package dev.fulcrum.appliance.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.status.ErrorStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LoggingStartupTest {

    @Test
    void theShippedConfigurationStartsWithoutLogbacksReportButStillSaysErrors() throws Exception {
        PrintStream stderr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        LoggerContext context = new LoggerContext();
        // The tests' own logback-test.xml would win otherwise.
        System.setProperty("logback.configurationFile", getClass().getResource("/logback.xml").toString());
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            new ContextInitializer(context).autoConfig();
            context.getStatusManager().add(new ErrorStatus("appender broke", this));
        } finally {
            System.setErr(stderr);
            System.clearProperty("logback.configurationFile");
            context.stop();
        }

        String printed = captured.toString(StandardCharsets.UTF_8);
        assertThat(printed).doesNotContain("|-INFO").doesNotContain("|-WARN");
        assertThat(printed).contains("logging: appender broke");
    }
}
