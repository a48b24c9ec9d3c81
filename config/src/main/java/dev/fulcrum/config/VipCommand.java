package dev.fulcrum.config;

import java.util.List;

/**
 * Where there is no layer-2 adjacency (a cloud network, a routed fabric), mastership moves the
 * virtual IP by a command: a cloud API call re-pointing an elastic IP, a route announcement.
 *
 * @param acquire run on becoming master, after this node listens (argument list, no shell)
 * @param release run on leaving master; empty when the next master's acquire is enough
 */
public record VipCommand(List<String> acquire, List<String> release) {

    public VipCommand {
        acquire = List.copyOf(acquire);
        release = List.copyOf(release);
    }
}
