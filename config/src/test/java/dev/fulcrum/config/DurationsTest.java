package dev.fulcrum.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({
        "0, 0",
        "0ms, 0",
        "250ms, 250",
        "2s, 2000",
        "1m, 60000",
        "1h, 3600000",
        "1m30s, 90000",
        "1h2m3s4ms, 3723004",
        "90s, 90000",
    })
    void parses(String text, long millis) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
        assertThat(Pattern.matches(Durations.PATTERN, text)).as("schema pattern accepts %s", text).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''        | empty duration",
        "250       | has no unit; write e.g. 250ms or 250s",
        "-1s       | negative duration",
        "1.5s      | fractional duration '1.5s'; use a smaller unit",
        "2sec      | unknown unit 'sec' in duration '2sec'; expected ms, s, m or h",
        "10us      | (the smallest unit is ms)",
        "1d        | unknown unit 'd'",
        "s         | expected a number with a unit",
        "' 2s'     | surrounding spaces",
        "30s1m     | write the largest unit first",
        "1s1s      | repeats or reorders units",
        "99999999999999999999ms | is too large",
        "9223372036854775807h | is too large",
    })
    void refuses(String text, String message) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "250", "-1s", "1.5s", "2sec", "10us", "1d", "s", " 2s", "30s1m", "1s1s", "1ms1s"})
    void schemaPatternRefusesWhatTheParserRefuses(String text) {
        assertThat(Pattern.matches(Durations.PATTERN, text)).as(text).isFalse();
    }

    @Test
    void formatsTheShortestForm() {
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0");
        assertThat(Durations.format(Duration.ofMillis(250))).isEqualTo("250ms");
        assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
        assertThat(Durations.format(Duration.ofHours(2))).isEqualTo("2h");
        assertThat(Durations.parse(Durations.format(Duration.ofMillis(3_723_004)))).isEqualTo(Duration.ofMillis(3_723_004));
    }
}
