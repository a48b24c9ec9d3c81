package dev.fulcrum.config;

import java.time.Duration;
import java.util.List;

/**
 * A health condition of this node checked by a command (as keepalived's track scripts): it exits
 * 0 while the node is fit to be master.
 *
 * @param command argument list, run without a shell
 * @param interval time between runs
 * @param timeout a run taking longer counts as failed
 * @param fall consecutive failures that put the node in FAULT
 * @param rise consecutive successes that take it out again
 */
public record TrackCommand(List<String> command, Duration interval, Duration timeout, int fall, int rise) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);

    public TrackCommand {
        command = List.copyOf(command);
    }
}
