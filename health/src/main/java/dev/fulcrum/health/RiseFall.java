package dev.fulcrum.health;

/**
 * Counts consecutive check results and decides when a server changes state: {@code fall}
 * failures in a row take an up server down, {@code rise} passes in a row bring a down server
 * up. A result that breaks a streak starts the other one, so a server that alternates between
 * passing and failing never changes state while both thresholds are above one.
 *
 * <p>Not thread-safe: each server's checks run on one event loop.
 */
final class RiseFall {

    /** A change of state, and why in words for logs and the status page. */
    record Change(boolean up, String reason) {
    }

    private final int rise;
    private final int fall;
    private int passes;
    private int failures;

    RiseFall(int rise, int fall) {
        if (rise < 1 || fall < 1) {
            throw new IllegalArgumentException("rise and fall must be at least 1, not " + rise + " and " + fall);
        }
        this.rise = rise;
        this.fall = fall;
    }

    /**
     * Counts one result.
     *
     * @param up whether the server is up now
     * @return the change this result makes, or null when the server stays as it is
     */
    Change record(CheckResult result, boolean up) {
        if (result.passed()) {
            failures = 0;
            passes = saturatedIncrement(passes);
            if (!up && passes >= rise) {
                return new Change(true, count(passes, "passed check"));
            }
        } else {
            passes = 0;
            failures = saturatedIncrement(failures);
            if (up && failures >= fall) {
                return new Change(false, count(failures, "failed check") + ": " + result.detail());
            }
        }
        return null;
    }

    private static int saturatedIncrement(int n) {
        return n == Integer.MAX_VALUE ? n : n + 1;
    }

    private static String count(int n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }
}
