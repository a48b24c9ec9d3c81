package dev.fulcrum.config;

/**
 * What a {@code consistent_hash} pool hashes to choose a server: the client address (the
 * default), a request header or a cookie. A request without that header or cookie is hashed
 * on its client address instead, so it still lands somewhere stable.
 */
public sealed interface HashOn {

    /** The client address: the default, and the only key a tcp or tls listener can offer. */
    HashOn SOURCE = new Source();

    /** True when the key exists only in HTTP requests (a header or a cookie). */
    default boolean needsHttp() {
        return !(this instanceof Source);
    }

    /** How the key reads in messages: {@code source}, {@code header x-user}, {@code cookie session}. */
    String describe();

    /** The client's IP address (its port is ignored). */
    record Source() implements HashOn {
        @Override
        public String describe() {
            return "source";
        }
    }

    /** @param name a header name (RFC 9110 token), lower case: header names are case-insensitive */
    record Header(String name) implements HashOn {
        @Override
        public String describe() {
            return "header " + name;
        }
    }

    /** @param name a cookie name (RFC 6265 token), case-sensitive */
    record Cookie(String name) implements HashOn {
        @Override
        public String describe() {
            return "cookie " + name;
        }
    }
}
