package dev.fulcrum.lbcore.pool;

import dev.fulcrum.config.HashOn;

/** Turns a pick's context into the 64-bit key a consistent-hash table is looked up with. */
@FunctionalInterface
interface HashKey {

    long hash(BalancingContext context);

    /** For a header or cookie: its value when present and not empty, else the client address. */
    static HashKey of(HashOn hashOn) {
        if (hashOn instanceof HashOn.Header header) {
            String name = header.name();
            return context -> valueOrSource(context, context == null ? null : context.header(name));
        }
        if (hashOn instanceof HashOn.Cookie cookie) {
            String name = cookie.name();
            return context -> valueOrSource(context, context == null ? null : context.cookie(name));
        }
        return HashKey::source;
    }

    static long source(BalancingContext context) {
        return Hashing.hash(context == null ? null : context.client());
    }

    private static long valueOrSource(BalancingContext context, String value) {
        return value == null || value.isEmpty() ? source(context) : Hashing.hash(value);
    }
}
