package dev.fulcrum.lbcore.pool;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * 64-bit hashes for consistent hashing, computed without allocating.
 *
 * <p>Strings go through a single-lane MurmurHash3 x64 (four UTF-16 chars per 64-bit block,
 * then the fmix64 finaliser): good avalanche, so that similar keys such as user-1 and user-2
 * land on unrelated servers. The hashes are unseeded on purpose: every process, and both
 * nodes of an HA pair, map the same key to the same server.
 */
final class Hashing {

    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;

    private Hashing() {
    }

    static long hash(CharSequence s) {
        return hash(s, 0);
    }

    static long hash(CharSequence s, long seed) {
        int length = s.length();
        long h = seed;
        int i = 0;
        for (; i + 4 <= length; i += 4) {
            long block = s.charAt(i) | (long) s.charAt(i + 1) << 16 | (long) s.charAt(i + 2) << 32
                    | (long) s.charAt(i + 3) << 48;
            h ^= scramble(block);
            h = Long.rotateLeft(h, 27) * 5 + 0x52dce729;
        }
        if (i < length) {
            long tail = 0;
            for (int shift = 0; i < length; i++, shift += 16) {
                tail |= (long) s.charAt(i) << shift;
            }
            h ^= scramble(tail);
        }
        return fmix64(h ^ length);
    }

    /**
     * The client's IP address, port ignored (a client reconnecting from a new port is the same
     * client). IPv4 hashes its exact 32 bits. IPv6 hashes {@link InetAddress#hashCode()}, the sum
     * of the address's four 32-bit words: {@code getAddress()} would copy 16 bytes per pick, and
     * the sum still spreads real client addresses evenly.
     */
    static long hash(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            InetAddress ip = inet.getAddress();
            return ip != null ? fmix64(ip.hashCode() & 0xffffffffL) : hash(inet.getHostString());
        }
        return fmix64(address == null ? 0 : address.hashCode());
    }

    private static long scramble(long k) {
        return Long.rotateLeft(k * C1, 31) * C2;
    }

    /** MurmurHash3's finaliser: every input bit affects every output bit. */
    static long fmix64(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }
}
