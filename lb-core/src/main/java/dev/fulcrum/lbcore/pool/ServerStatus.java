package dev.fulcrum.lbcore.pool;

import java.util.ArrayList;
import java.util.List;

/**
 * The bits of a server's status word: a server is in rotation when none is set. Admin state,
 * active health and passive ejection are independent of each other, so each has its own bit.
 */
final class ServerStatus {

    static final int DISABLED = 1;
    static final int DRAINING = 2;
    static final int DOWN = 4;
    static final int EJECTED = 8;

    private ServerStatus() {
    }

    /** Which mechanism a change of these bits belongs to, for metrics. */
    static String cause(int changedBits) {
        if ((changedBits & DOWN) != 0) {
            return "health_check";
        }
        if ((changedBits & EJECTED) != 0) {
            return "outlier_detection";
        }
        return "admin";
    }

    /** "up", or what keeps the server out: "down", "disabled, ejected", ... */
    static String describe(int bits) {
        if (bits == 0) {
            return "up";
        }
        List<String> parts = new ArrayList<>(3);
        if ((bits & DISABLED) != 0) {
            parts.add("disabled");
        }
        if ((bits & DRAINING) != 0) {
            parts.add("draining");
        }
        if ((bits & DOWN) != 0) {
            parts.add("down");
        }
        if ((bits & EJECTED) != 0) {
            parts.add("ejected");
        }
        return String.join(", ", parts);
    }
}
