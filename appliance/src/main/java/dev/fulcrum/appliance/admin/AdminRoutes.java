package dev.fulcrum.appliance.admin;

import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The admin listener's routes: a method, a path with {@code {name}} segments, and whether the
 * call changes anything (then it needs the bearer token).
 */
public final class AdminRoutes {

    /** A route that matched: its action and the path's variables. */
    record Match(Route route, Map<String, String> vars) {
    }

    /** {@code endpoint} set: it answers the raw request itself (the metrics scrape reads Accept). */
    record Route(HttpMethod method, String[] segments, boolean mutating, AdminAction action, AdminEndpoint endpoint) {
    }

    private final List<Route> routes = new ArrayList<>();

    /** A read: GET (and HEAD) answered from memory. */
    public AdminRoutes get(String path, Function<AdminRequest, AdminReply> action) {
        routes.add(new Route(HttpMethod.GET, split(path), false,
                request -> CompletableFuture.completedFuture(action.apply(request)), null));
        return this;
    }

    /** A read answered by an endpoint that builds its own response. */
    public AdminRoutes get(String path, AdminEndpoint endpoint) {
        routes.add(new Route(HttpMethod.GET, split(path), false, null, endpoint));
        return this;
    }

    /** A call that changes something: needs the bearer token. */
    public AdminRoutes mutate(HttpMethod method, String path, AdminAction action) {
        routes.add(new Route(method, split(path), true, action, null));
        return this;
    }

    /** The route for this method and path, or null. */
    Match match(HttpMethod method, String path) {
        HttpMethod wanted = HttpMethod.HEAD.equals(method) ? HttpMethod.GET : method;
        for (Route route : routes) {
            if (route.method().equals(wanted)) {
                Map<String, String> vars = vars(route.segments(), split(path));
                if (vars != null) {
                    return new Match(route, vars);
                }
            }
        }
        return null;
    }

    /** The methods some route serves at this path (for 405's Allow header); empty: no such path. */
    Set<String> methodsAt(String path) {
        Set<String> methods = new LinkedHashSet<>();
        for (Route route : routes) {
            if (vars(route.segments(), split(path)) != null) {
                methods.add(route.method().name());
                if (HttpMethod.GET.equals(route.method())) {
                    methods.add(HttpMethod.HEAD.name());
                }
            }
        }
        return methods;
    }

    List<String> paths() {
        return routes.stream().map(r -> "/" + String.join("/", r.segments())).distinct().toList();
    }

    private static Map<String, String> vars(String[] pattern, String[] path) {
        if (pattern.length != path.length) {
            return null;
        }
        Map<String, String> vars = new LinkedHashMap<>();
        for (int i = 0; i < pattern.length; i++) {
            String p = pattern[i];
            if (p.startsWith("{") && p.endsWith("}")) {
                if (path[i].isEmpty()) {
                    return null;
                }
                vars.put(p.substring(1, p.length() - 1), path[i]);
            } else if (!p.equals(path[i])) {
                return null;
            }
        }
        return vars;
    }

    private static String[] split(String path) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        return trimmed.isEmpty() ? new String[0] : trimmed.split("/", -1);
    }
}
