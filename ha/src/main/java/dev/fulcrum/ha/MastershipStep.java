package dev.fulcrum.ha;

/**
 * One thing mastership changes outside the process: the virtual addresses, their announcement,
 * a cloud API call, the listeners. Steps run in their configured order on both edges, off the
 * event loops, one transition at a time; a failing step is logged and the next still runs.
 */
public interface MastershipStep {

    /** This node became master. */
    void acquire(String reason);

    /** This node left master; {@code now} is where it went (backup or fault). */
    default void release(HaState now, String reason) {
    }

    /** Still master after a split brain: claim again what the other master took. */
    default void reassert(String reason) {
    }

    /**
     * Undoes what an earlier run of this node may have left behind (a crashed master's virtual
     * addresses), before this node starts as backup.
     */
    default void clearLeftovers() {
    }
}
