package dev.fulcrum.ha;

import dev.fulcrum.config.VipCommand;
import java.util.ArrayList;
import java.util.List;

/**
 * Moves the virtual IP by a command where there is no layer-2 adjacency: a cloud API call
 * re-pointing an elastic IP, a route announcement. The state and reason are appended as
 * arguments, as for notify commands.
 */
public final class VipCommandStep implements MastershipStep {

    private final VipCommand command;
    private final CommandRunner runner;

    public VipCommandStep(VipCommand command, CommandRunner runner) {
        this.command = command;
        this.runner = runner;
    }

    @Override
    public void acquire(String reason) {
        runner.run(withContext(command.acquire(), HaState.MASTER, reason));
    }

    @Override
    public void release(HaState now, String reason) {
        if (!command.release().isEmpty()) {
            runner.run(withContext(command.release(), now, reason));
        }
    }

    /** The other master may have moved the address to itself: move it back. */
    @Override
    public void reassert(String reason) {
        acquire(reason);
    }

    static List<String> withContext(List<String> command, HaState state, String reason) {
        List<String> full = new ArrayList<>(command);
        full.add(state.key());
        full.add(reason);
        return full;
    }
}
