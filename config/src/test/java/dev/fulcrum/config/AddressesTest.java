package dev.fulcrum.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AddressesTest {

    @ParameterizedTest
    @CsvSource({
        "127.0.0.1:8080, 127.0.0.1, 8080",
        "0.0.0.0:0, 0.0.0.0, 0",
        "[::1]:443, ::1, 443",
        "[::]:80, ::, 80",
        "[fe80::1%eth0]:80, fe80::1%eth0, 80",
        "[::ffff:10.0.0.1]:80, ::ffff:10.0.0.1, 80",
        "[2001:db8:0:0:0:0:0:1]:65535, 2001:db8:0:0:0:0:0:1, 65535",
        "localhost:9090, localhost, 9090",
        "backend-1.example.com.:80, backend-1.example.com, 80",
    })
    void parsesEndpoints(String text, String host, int port) {
        assertThat(Addresses.parseEndpoint(text, true)).isEqualTo(new Endpoint(host, port));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''                 | empty address",
        "127.0.0.1          | has no port; expected host:port",
        "::1:80             | IPv6 addresses need brackets: write [::1]:80",
        "[::1]              | has no port",
        "[::1               | no closing ']'",
        "[::g]:80           | '::g' in '[::g]:80' is not a valid IPv6 address",
        "[1:2:3:4:5:6:7:8:9]:80 | not a valid IPv6 address",
        "[1::2::3]:80       | not a valid IPv6 address",
        ":80                | has no host",
        "256.0.0.1:80       | '256.0.0.1' is not a valid IPv4 address",
        "10.0.0:80          | not a valid IPv4 address",
        "010.0.0.1:80       | not a valid IPv4 address",
        "exa_mple.com:80    | 'exa_mple.com' is not a valid host name",
        "-bad.com:80        | not a valid host name",
        "a..b:80            | not a valid host name",
        "host:http          | invalid port 'http'",
        "host:65536         | port 65536 in 'host:65536' is out of range; expected 0..65535",
        "host:-1            | invalid port '-1'",
        "host:              | invalid port ''",
    })
    void refusesBadEndpoints(String text, String message) {
        assertThatThrownBy(() -> Addresses.parseEndpoint(text, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void portZeroOnlyForBinds() {
        assertThat(Addresses.parseEndpoint("0.0.0.0:0", true).port()).isZero();
        assertThatThrownBy(() -> Addresses.parseEndpoint("10.0.0.1:0", false))
                .hasMessageContaining("port 0 in '10.0.0.1:0' is out of range; expected 1..65535");
    }

    @Test
    void rejectsOverlongNames() {
        String label = "a".repeat(64);
        assertThat(Addresses.isDnsName(label + ".com")).isFalse();
        assertThat(Addresses.isDnsName("a".repeat(63) + ".com")).isTrue();
        assertThat(Addresses.isDnsName(("a".repeat(60) + ".").repeat(5) + "com")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "::", "0:0:0:0:0:0:0:0", "::0"})
    void wildcards(String host) {
        assertThat(Addresses.isWildcard(host)).isTrue();
    }

    @Test
    void canonicalFormsCompareEqual() {
        assertThat(Addresses.canonicalHost("::1")).isEqualTo(Addresses.canonicalHost("0:0:0:0:0:0:0:1"));
        assertThat(Addresses.canonicalHost("Example.COM.")).isEqualTo("example.com");
        assertThat(Addresses.isWildcard("::1")).isFalse();
    }
}
