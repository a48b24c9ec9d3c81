package dev.fulcrum.l7;

import dev.fulcrum.l7.sticky.PoolStickiness;
import dev.fulcrum.l7.sticky.StickyChoice;
import dev.fulcrum.lbcore.pool.Server;
import io.netty.handler.codec.http.HttpResponse;

/**
 * The response filter phase: what the client receives of a backend's response head.
 * Hop-by-hop headers go, Via is added, and for final responses the sticky pin is set and the
 * route's response header edits apply (interim responses are passed on bare).
 */
final class ResponseFilter {

    private ResponseFilter() {
    }

    static void apply(HttpResponse response, ForwardedHeaders forwarding, CompiledRouteActions actions,
                      PoolStickiness sticky, Server answered, StickyChoice choice) {
        HopByHopHeaders.strip(response.headers());
        forwarding.onResponse(response.headers());
        if (response.status().code() >= 200) {
            if (sticky != null) {
                sticky.onResponse(response.headers(), answered, choice);
            }
            actions.editResponse(response.headers());
        }
    }
}
