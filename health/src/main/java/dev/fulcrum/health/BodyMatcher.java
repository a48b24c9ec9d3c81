package dev.fulcrum.health;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

/**
 * Looks for a byte string in a body that arrives in pieces, holding no more of the body than
 * the match in progress (Knuth-Morris-Pratt), so a match across two pieces is found without
 * aggregating the body.
 */
final class BodyMatcher implements ByteProcessor {

    private final byte[] needle;
    /** For each prefix length i + 1 of the needle, the longest proper prefix that is also its suffix. */
    private final int[] fallback;
    private int matched;
    private boolean found;

    BodyMatcher(byte[] needle) {
        this.needle = needle.clone();
        this.fallback = fallback(this.needle);
        this.found = needle.length == 0;
    }

    private static int[] fallback(byte[] needle) {
        int[] table = new int[needle.length];
        int k = 0;
        for (int i = 1; i < needle.length; i++) {
            while (k > 0 && needle[i] != needle[k]) {
                k = table[k - 1];
            }
            if (needle[i] == needle[k]) {
                k++;
            }
            table[i] = k;
        }
        return table;
    }

    /**
     * Reads {@code length} bytes of {@code buf} from {@code index} (leaving its indexes alone).
     *
     * @return whether the needle has been seen, in this piece or an earlier one
     */
    boolean feed(ByteBuf buf, int index, int length) {
        if (!found && length > 0) {
            buf.forEachByte(index, length, this);
        }
        return found;
    }

    boolean found() {
        return found;
    }

    @Override
    public boolean process(byte value) {
        while (matched > 0 && needle[matched] != value) {
            matched = fallback[matched - 1];
        }
        if (needle[matched] == value) {
            matched++;
        }
        if (matched == needle.length) {
            found = true;
            return false;
        }
        return true;
    }
}
