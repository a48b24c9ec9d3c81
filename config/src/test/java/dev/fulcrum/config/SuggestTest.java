package dev.fulcrum.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestTest {

    private static final List<String> KEYS = List.of("name", "bind", "protocol", "routes", "pool", "path_prefix",
            "max_connections", "certificates");

    @Test
    void suggestsCloseSpellings() {
        assertThat(Suggest.closest("protocl", KEYS)).isEqualTo("protocol");
        assertThat(Suggest.closest("route", KEYS)).isEqualTo("routes");
        assertThat(Suggest.closest("bnid", KEYS)).isEqualTo("bind");
        assertThat(Suggest.closest("Name", KEYS)).isEqualTo("name");
        assertThat(Suggest.closest("path-prefix", KEYS)).isEqualTo("path_prefix");
        assertThat(Suggest.closest("maxconnections", KEYS)).isEqualTo("max_connections");
        assertThat(Suggest.closest("certificate", KEYS)).isEqualTo("certificates");
    }

    @Test
    void staysQuietWhenNothingIsClose() {
        assertThat(Suggest.closest("timeout", KEYS)).isNull();
        assertThat(Suggest.closest("x", KEYS)).isNull();
        assertThat(Suggest.closest("pol", List.of())).isNull();
        assertThat(Suggest.hint("zzzz", KEYS)).isEmpty();
        assertThat(Suggest.hint("pol", KEYS)).isEqualTo("; did you mean 'pool'?");
    }

    @Test
    void distanceCountsTranspositionsAsOne() {
        assertThat(Suggest.distance("bnid", "bind")).isEqualTo(1);
        assertThat(Suggest.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(Suggest.distance("", "abc")).isEqualTo(3);
    }
}
