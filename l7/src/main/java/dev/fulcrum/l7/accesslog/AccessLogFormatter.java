package dev.fulcrum.l7.accesslog;

import dev.fulcrum.config.AccessLogConfig;
import dev.fulcrum.lbcore.JsonText;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Turns records into lines; runs on the writer thread, so it may take its time. */
public abstract class AccessLogFormatter {

    public static AccessLogFormatter of(AccessLogConfig.Format format) {
        return format == AccessLogConfig.Format.JSON ? new Json() : new Combined();
    }

    /** Appends one line, with its newline. */
    public abstract void format(AccessRecord r, StringBuilder out);

    /** {@code client - - [time] "request" status bytes "referer" "user-agent"}, as Apache and nginx write it. */
    static final class Combined extends AccessLogFormatter {

        private static final DateTimeFormatter CLF =
                DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);

        @Override
        public void format(AccessRecord r, StringBuilder out) {
            out.append(r.client()).append(" - - [").append(CLF.format(Instant.ofEpochMilli(r.epochMillis())))
                    .append("] \"");
            escaped(out, r.method()).append(' ');
            escaped(out, r.uri()).append(' ');
            escaped(out, r.protocol()).append("\" ").append(r.status()).append(' ');
            if (r.responseBytes() > 0) {
                out.append(r.responseBytes());
            } else {
                out.append('-');
            }
            out.append(" \"");
            escaped(out, r.referer() == null ? "-" : r.referer()).append("\" \"");
            escaped(out, r.userAgent() == null ? "-" : r.userAgent()).append("\"\n");
        }

        /** Quotes, backslashes and control characters escaped, so that one request is one line. */
        private static StringBuilder escaped(StringBuilder out, String s) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '"' || c == '\\') {
                    out.append('\\').append(c);
                } else if (c < 0x20 || c == 0x7f) {
                    out.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
                } else {
                    out.append(c);
                }
            }
            return out;
        }
    }

    /** One JSON object per line. */
    static final class Json extends AccessLogFormatter {

        @Override
        public void format(AccessRecord r, StringBuilder out) {
            out.append("{\"time\":\"").append(Instant.ofEpochMilli(r.epochMillis())).append('"');
            field(out, "client", r.client());
            field(out, "method", r.method());
            field(out, "uri", r.uri());
            field(out, "protocol", r.protocol());
            field(out, "host", r.host());
            out.append(",\"status\":").append(r.status());
            out.append(",\"bytes\":").append(r.responseBytes());
            out.append(",\"duration_seconds\":").append(String.format(Locale.ROOT, "%.6f", r.durationNanos() / 1e9));
            field(out, "listener", r.listener());
            field(out, "route", r.route());
            field(out, "pool", r.pool());
            field(out, "server", r.server());
            field(out, "user_agent", r.userAgent());
            field(out, "referer", r.referer());
            out.append("}\n");
        }

        private static void field(StringBuilder out, String name, String value) {
            out.append(",\"").append(name).append("\":");
            JsonText.appendQuoted(out, value, false);
        }
    }
}
