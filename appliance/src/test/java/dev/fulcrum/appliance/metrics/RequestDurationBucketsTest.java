package dev.fulcrum.appliance.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.appliance.Metrics;
import dev.fulcrum.appliance.demo.Demo;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The request duration histogram has a fixed, small set of buckets per series, 1 ms to 60 s. */
class RequestDurationBucketsTest {

    private static final Pattern BUCKET = Pattern.compile(
            "^fulcrum_http_request_duration_seconds_bucket\\{(.*)} \\S+$", Pattern.MULTILINE);
    private static final Pattern LE = Pattern.compile("le=\"([^\"]*)\",?");

    @Test
    void eachSeriesHasSeventeenBucketsFromAMillisecondToAMinute() throws Exception {
        try (Metrics metrics = new Metrics(); Demo demo = DemoTraffic.startDemo(metrics)) {
            DemoTraffic.send(demo);
            String scrape = metrics.registry().scrape();
            Map<String, StringBuilder> bounds = new TreeMap<>();
            Matcher bucket = BUCKET.matcher(scrape);
            while (bucket.find()) {
                Matcher le = LE.matcher(bucket.group(1));
                assertThat(le.find()).as(bucket.group()).isTrue();
                String series = le.replaceFirst("");
                bounds.computeIfAbsent(series, s -> new StringBuilder()).append(le.group(1)).append(' ');
            }
            assertThat(bounds).as("series of the demo's traffic").hasSizeGreaterThan(2);
            bounds.forEach((series, les) -> assertThat(les.toString().strip().split(" ")).as(series)
                    .hasSize(17).startsWith("0.001").endsWith("60.0", "+Inf"));
        }
    }
}
