package dev.fulcrum.l7.routing;

import dev.fulcrum.config.RouteConfig;
import java.util.Arrays;
import java.util.List;

/** One compiled rule of a listener: its position, its configuration and its conditions. */
public final class Route {

    private final int index;
    private final RouteConfig config;
    private final Condition[] conditions;

    Route(int index, RouteConfig config) {
        this.index = index;
        this.config = config;
        try {
            this.conditions = Conditions.compile(config.match());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("route " + config.name() + ": " + e.getMessage(), e);
        }
    }

    /** 0-based position in the listener's rules, for per-route arrays. */
    public int index() {
        return index;
    }

    public RouteConfig config() {
        return config;
    }

    public String name() {
        return config.name();
    }

    /** The pool requests go to, or null when the route answers itself. */
    public String pool() {
        return config.pool().orElse(null);
    }

    /** "pool NAME", or the reply the route gives itself. */
    public String target() {
        return config.target();
    }

    /** True when every condition holds (a route without conditions matches everything). */
    public boolean matches(RouteRequest request) {
        for (Condition condition : conditions) {
            if (!condition.test(request)) {
                return false;
            }
        }
        return true;
    }

    /** Null when the route matches, else why its first failing condition failed. */
    String firstFailure(RouteRequest request) {
        for (Condition condition : conditions) {
            if (!condition.test(request)) {
                return condition.whyNot(request);
            }
        }
        return null;
    }

    /** The conditions in the order they are checked, as configured, e.g. {@code path_prefix "/video"}. */
    public List<String> describeConditions() {
        return Arrays.stream(conditions).map(Condition::describe).toList();
    }

    @Override
    public String toString() {
        return "Route[" + index + " " + name() + " -> " + target() + " " + describeConditions() + "]";
    }
}
