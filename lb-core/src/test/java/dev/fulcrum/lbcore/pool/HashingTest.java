package dev.fulcrum.lbcore.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HashingTest {

    @Test
    void stringHashIsStableAndSensitiveToEveryCharacterAndTheLength() {
        assertThat(Hashing.hash("user-42")).isEqualTo(Hashing.hash(new StringBuilder("user-42")));
        Set<Long> seen = new HashSet<>();
        String base = "abcdefghij";
        for (int length = 0; length <= base.length(); length++) {
            assertThat(seen.add(Hashing.hash(base.substring(0, length)))).isTrue();
        }
        assertThat(Hashing.hash("\0")).isNotEqualTo(Hashing.hash("")).isNotEqualTo(Hashing.hash("\0\0"));
        assertThat(Hashing.hash("k", 1)).isNotEqualTo(Hashing.hash("k", 2));
    }

    @Test
    void oneChangedCharacterFlipsAboutHalfTheBits() {
        long flipped = 0;
        int samples = 0;
        for (int i = 0; i < 2000; i++) {
            String key = "session-" + i;
            for (int at = 0; at < key.length(); at++) {
                char[] chars = key.toCharArray();
                chars[at] ^= 1;
                flipped += Long.bitCount(Hashing.hash(key) ^ Hashing.hash(new String(chars)));
                samples++;
            }
        }
        assertThat(flipped / (double) samples).isBetween(31.0, 33.0);
    }

    @Test
    void addressHashIgnoresThePortAndSeparatesAddresses() {
        assertThat(Hashing.hash(new InetSocketAddress("10.0.0.1", 1)))
                .isEqualTo(Hashing.hash(new InetSocketAddress("10.0.0.1", 65535)));
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 65536; i++) {
            seen.add(Hashing.hash(new InetSocketAddress("10.0." + (i >>> 8) + "." + (i & 0xff), 80)));
        }
        assertThat(seen).hasSize(65536);
        assertThat(Hashing.hash(InetSocketAddress.createUnresolved("client.example", 1)))
                .isEqualTo(Hashing.hash("client.example"));
        assertThat(Hashing.hash((java.net.SocketAddress) null)).isEqualTo(Hashing.hash((java.net.SocketAddress) null));
    }
}
