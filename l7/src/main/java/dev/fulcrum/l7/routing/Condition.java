package dev.fulcrum.l7.routing;

/**
 * One compiled match key of a route. Routing calls only {@link #test}; explaining calls the
 * same {@link #test} and, when it fails, {@link #whyNot} to put the verdict into words. So
 * there is a single decision, whether traffic or a developer asks.
 */
abstract class Condition {

    /** True when the request satisfies this key. Must not allocate on the common path. */
    abstract boolean test(RouteRequest request);

    /** Why {@link #test} returned false for this request, in plain words. */
    abstract String whyNot(RouteRequest request);

    /** The key as configured, e.g. {@code path_prefix "/video"}. */
    abstract String describe();

    @Override
    public String toString() {
        return describe();
    }

    static String quote(String value) {
        return '"' + value + '"';
    }
}
