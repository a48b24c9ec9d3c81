package dev.fulcrum.appliance.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
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

    static void string(StringBuilder out, String s) {
        out.append('"');
        if (s != null) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
        }
        out.append('"');
    }
}
