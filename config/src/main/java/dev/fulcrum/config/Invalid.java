package dev.fulcrum.config;

import org.yaml.snakeyaml.nodes.Node;

/** Thrown by a {@link ValueParser} for a bad value; the reader turns it into a {@link ConfigError}. */
final class Invalid extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient Node node;

    Invalid(String message) {
        this(message, null);
    }

    /** @param node a more precise position than the value being parsed (e.g. one list element) */
    Invalid(String message, Node node) {
        super(message, null, false, false);
        this.node = node;
    }

    Node node() {
        return node;
    }
}
