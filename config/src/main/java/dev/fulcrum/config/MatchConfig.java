package dev.fulcrum.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The conditions of a route; every given key must hold. An empty match matches everything.
 *
 * <p>{@code headers}, {@code query} and {@code cookie} map a name to the exact value required.
 * {@code sni} is the only key allowed on a tcp listener.
 */
public record MatchConfig(
        Optional<String> host,
        Optional<String> path,
        Optional<String> pathPrefix,
        Optional<String> pathRegex,
        List<String> methods,
        Map<String, String> headers,
        Map<String, String> query,
        Map<String, String> cookies,
        Optional<String> sni) {

    public static final MatchConfig ANY = new MatchConfig(Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), List.of(), Map.of(), Map.of(), Map.of(), Optional.empty());

    public MatchConfig {
        methods = List.copyOf(methods);
        headers = Map.copyOf(headers);
        query = Map.copyOf(query);
        cookies = Map.copyOf(cookies);
    }

    public boolean isAny() {
        return equals(ANY);
    }
}
