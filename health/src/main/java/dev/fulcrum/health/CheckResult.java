package dev.fulcrum.health;

/**
 * The outcome of one health check.
 *
 * @param detail why it failed, in a few words: "connection refused", "status 503, expected 200-399"
 */
record CheckResult(boolean passed, String detail) {

    static final CheckResult PASS = new CheckResult(true, "passed");

    static CheckResult fail(String detail) {
        return new CheckResult(false, detail);
    }
}
