package dev.fulcrum.config;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * One line per request of an http/https listener.
 *
 * @param path the file appended to; absent means standard output
 */
public record AccessLogConfig(Format format, Optional<Path> path) {

    /** The line format. */
    public enum Format {
        /** The Apache/nginx combined log format, which every log tool reads. */
        COMBINED,
        /** One JSON object per line, with route, pool, server and duration as well. */
        JSON;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Where it goes, as written in messages and metric tags: the path or {@code stdout}. */
    public String target() {
        return path.map(Path::toString).orElse("stdout");
    }
}
