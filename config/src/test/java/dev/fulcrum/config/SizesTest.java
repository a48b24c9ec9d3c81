package dev.fulcrum.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SizesTest {

    @ParameterizedTest
    @CsvSource({
        "0, 0",
        "65536, 65536",
        "512B, 512",
        "64KiB, 65536",
        "1MiB, 1048576",
        "1GiB, 1073741824",
        "2TiB, 2199023255552",
    })
    void parses(String text, long bytes) {
        assertThat(Sizes.parse(text)).isEqualTo(bytes);
        assertThat(Pattern.matches(Sizes.PATTERN, text)).as("schema pattern accepts %s", text).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''       | empty size",
        "-1       | negative size",
        "64KB     | ambiguous unit 'KB' in size '64KB'; write 'KiB' (powers of 1024) or a plain byte count",
        "1MB      | write 'MiB'",
        "1mb      | write 'MiB'",
        "1k       | write 'KiB'",
        "1G       | write 'GiB'",
        "1.5MiB   | fractional size",
        "'64 KiB' | space before the unit",
        "KiB      | invalid size 'KiB'",
        "1PiB     | unknown unit 'PiB'",
        "9999999999TiB | is too large",
    })
    void refuses(String text, String message) {
        assertThatThrownBy(() -> Sizes.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
        assertThat(Pattern.matches(Sizes.PATTERN, text) && !text.equals("9999999999TiB")).as(text).isFalse();
    }

    @Test
    void formatsTheLargestExactUnit() {
        assertThat(Sizes.format(65536)).isEqualTo("64KiB");
        assertThat(Sizes.format(1000)).isEqualTo("1000B");
        assertThat(Sizes.format(0)).isEqualTo("0B");
        assertThat(Sizes.format(4L << 20)).isEqualTo("4MiB");
    }
}
