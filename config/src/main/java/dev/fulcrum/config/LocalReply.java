package dev.fulcrum.config;

import java.util.Optional;

/** An answer a route gives itself, without a pool: a redirect or a fixed response. */
public sealed interface LocalReply {

    /**
     * A redirect to the request's own URL with some parts replaced; an absent part is kept
     * (a port is dropped when the scheme changes and no port is given).
     *
     * @param status 301, 302, 303, 307 or 308
     */
    record Redirect(int status, Optional<String> scheme, Optional<String> host, Optional<Integer> port,
                    Optional<String> path, boolean stripQuery) implements LocalReply {
    }

    /** A fixed response: status, body and its content type. */
    record Respond(int status, String body, String contentType) implements LocalReply {
    }
}
