package dev.fulcrum.l7.routing;

/**
 * A request target the proxy refuses (answered with 400 and never forwarded). Thrown only for
 * bad requests, so it skips the stack trace: it is a verdict, not a bug.
 */
public final class InvalidRequestTargetException extends Exception {

    private static final long serialVersionUID = 1L;

    public InvalidRequestTargetException(String reason) {
        super(reason, null, false, false);
    }
}
