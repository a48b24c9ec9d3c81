package dev.fulcrum.appliance.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import dev.fulcrum.lbcore.JsonText;
import java.time.Instant;

/**
 * One JSON object per line per event ({@code FULCRUM_LOG_FORMAT=json}), for log shippers:
 * {@code time}, {@code level}, {@code logger}, {@code thread}, {@code message} and, when there
 * is one, {@code exception} with its stack trace. Newlines inside values are escaped, so an
 * event never spans two lines.
 */
public final class JsonLineLayout extends LayoutBase<ILoggingEvent> {

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder out = new StringBuilder(256);
        out.append("{\"time\":");
        string(out, Instant.ofEpochMilli(event.getTimeStamp()).toString());
        out.append(",\"level\":");
        string(out, event.getLevel().toString());
        out.append(",\"logger\":");
        string(out, event.getLoggerName());
        out.append(",\"thread\":");
        string(out, event.getThreadName());
        out.append(",\"message\":");
        string(out, event.getFormattedMessage());
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null) {
            out.append(",\"exception\":");
            string(out, ThrowableProxyUtil.asString(thrown));
        }
        return out.append('}').append(CoreConstants.LINE_SEPARATOR).toString();
    }

    private static void string(StringBuilder out, String s) {
        JsonText.appendQuoted(out, s == null ? "" : s, false);
    }
}
