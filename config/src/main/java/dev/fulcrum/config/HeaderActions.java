package dev.fulcrum.config;

import java.util.List;
import java.util.Map;

/**
 * Header edits a route makes, applied in this order: remove, then set (replacing every value),
 * then add (another value beside any existing).
 */
public record HeaderActions(Map<String, String> add, Map<String, String> set, List<String> remove) {

    public static final HeaderActions NONE = new HeaderActions(Map.of(), Map.of(), List.of());

    public HeaderActions {
        add = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(add));
        set = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(set));
        remove = List.copyOf(remove);
    }

    public boolean isEmpty() {
        return add.isEmpty() && set.isEmpty() && remove.isEmpty();
    }
}
