package dev.fulcrum.lbcore.pool;

/**
 * A change of a server's state and why, kept for logs, the admin API and the status page.
 *
 * @param from the state before: "up", or what kept it out ("down", "disabled, ejected")
 * @param to the state after, described the same way
 * @param reason "3 failed checks: connection refused", "ejected for 30s after 5 failures", "disabled"
 * @param cause what changed: {@code health_check}, {@code outlier_detection} or {@code admin}
 */
public record Transition(String from, String to, String reason, String cause, long epochMillis) {

    static final Transition INITIAL = new Transition("up", "up", "configured", "admin", 0);

    @Override
    public String toString() {
        return from + " -> " + to + ": " + reason;
    }
}
