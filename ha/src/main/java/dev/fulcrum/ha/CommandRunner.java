package dev.fulcrum.ha;

import java.time.Duration;
import java.util.List;

/** Runs external commands (argument lists, no shell). */
public interface CommandRunner {

    /** Runs {@code command} to its end. @return true when it exited 0 within its time */
    boolean run(List<String> command);

    /** Starts {@code command} without waiting for it; its outcome is only logged. */
    default void spawn(List<String> command) {
        run(command);
    }

    /** Real processes, each bounded by {@code timeout}; their output goes to the log. */
    static CommandRunner processes(Duration timeout) {
        return new ProcessRunner(timeout);
    }
}
