package dev.fulcrum.ha;

import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mastership's effects in order: on becoming master each step acquires (addresses, listeners,
 * announcement, VIP command), then the notify command runs; on leaving, each step releases in
 * the same order, so the virtual addresses go first, then notify. A step that throws is logged
 * and the rest still run: an address that cannot be removed must not stop the notify.
 */
public final class MastershipActions implements MasterActions {

    private static final Logger LOG = LoggerFactory.getLogger(MastershipActions.class);

    private final List<MastershipStep> steps;
    private final Map<String, List<String>> notify;
    private final CommandRunner runner;

    /** @param notify commands by state reached: master, backup, fault */
    public MastershipActions(List<MastershipStep> steps, Map<String, List<String>> notify, CommandRunner runner) {
        this.steps = List.copyOf(steps);
        this.notify = Map.copyOf(notify);
        this.runner = runner;
    }

    @Override
    public void becameMaster(String reason) {
        for (MastershipStep step : steps) {
            guarded(step, () -> step.acquire(reason));
        }
        notify(HaState.MASTER, reason);
    }

    @Override
    public void leftMaster(HaState now, String reason) {
        for (MastershipStep step : steps) {
            guarded(step, () -> step.release(now, reason));
        }
        notify(now, reason);
    }

    @Override
    public void reassert(String reason) {
        for (MastershipStep step : steps) {
            guarded(step, () -> step.reassert(reason));
        }
    }

    @Override
    public void changed(HaState from, HaState to, String reason) {
        notify(to, reason);
    }

    /** Before the node starts: what a crashed earlier run left behind goes. */
    public void clearLeftovers() {
        for (MastershipStep step : steps) {
            guarded(step, step::clearLeftovers);
        }
    }

    private static void guarded(MastershipStep step, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.error("ha: {} failed", step.getClass().getSimpleName(), e);
        }
    }

    private void notify(HaState state, String reason) {
        List<String> command = notify.get(state.key());
        if (command != null) {
            runner.run(VipCommandStep.withContext(command, state, reason));
        }
    }
}
