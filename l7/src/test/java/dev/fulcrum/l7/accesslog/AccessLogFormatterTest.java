package dev.fulcrum.l7.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.config.AccessLogConfig;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AccessLogFormatterTest {

    private static final long TIME = Instant.parse("2026-11-27T22:59:37.123Z").toEpochMilli();

    private static AccessRecord record(String uri, String userAgent, long bytes) {
        return new AccessRecord(TIME, 1_234_567, "192.0.2.7", "GET", uri, "HTTP/1.1", "shop.example", 200, bytes,
                userAgent, null, "web", "video", "video", "video-1");
    }

    private static String format(AccessLogConfig.Format format, AccessRecord record) {
        StringBuilder out = new StringBuilder();
        AccessLogFormatter.of(format).format(record, out);
        return out.toString();
    }

    @Test
    void combinedIsTheApacheFormat() {
        assertThat(format(AccessLogConfig.Format.COMBINED, record("/video/a?x=1", "curl/8.0", 512)))
                .isEqualTo("192.0.2.7 - - [27/Nov/2026:22:59:37 +0000] \"GET /video/a?x=1 HTTP/1.1\" 200 512"
                        + " \"-\" \"curl/8.0\"\n");
    }

    @Test
    void combinedEscapesQuotesAndControlCharactersAndWritesDashForNoBody() {
        assertThat(format(AccessLogConfig.Format.COMBINED, record("/a\"b", "evil\"\nagent", 0)))
                .isEqualTo("192.0.2.7 - - [27/Nov/2026:22:59:37 +0000] \"GET /a\\\"b HTTP/1.1\" 200 -"
                        + " \"-\" \"evil\\\"\\x0aagent\"\n");
    }

    @Test
    void jsonHasEveryFieldAndEscapes() {
        assertThat(format(AccessLogConfig.Format.JSON, record("/v\\\"", "ua\t1", 10)))
                .isEqualTo("{\"time\":\"2026-11-27T22:59:37.123Z\",\"client\":\"192.0.2.7\",\"method\":\"GET\","
                        + "\"uri\":\"/v\\\\\\\"\",\"protocol\":\"HTTP/1.1\",\"host\":\"shop.example\",\"status\":200,"
                        + "\"bytes\":10,\"duration_seconds\":0.001235,\"listener\":\"web\",\"route\":\"video\","
                        + "\"pool\":\"video\",\"server\":\"video-1\",\"user_agent\":\"ua\\t1\",\"referer\":null}\n");
    }
}
