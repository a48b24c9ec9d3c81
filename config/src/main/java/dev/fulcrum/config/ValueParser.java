package dev.fulcrum.config;

import org.yaml.snakeyaml.nodes.Node;

/** Turns one YAML node into a value, or explains in an {@link Invalid} what was expected. */
@FunctionalInterface
interface ValueParser<T> {

    T parse(Node node) throws Invalid;

    /** A further check or conversion of the parsed value. */
    default <R> ValueParser<R> then(Check<T, R> next) {
        return node -> next.apply(parse(node));
    }

    @FunctionalInterface
    interface Check<T, R> {
        R apply(T value) throws Invalid;
    }
}
