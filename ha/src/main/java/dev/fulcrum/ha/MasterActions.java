package dev.fulcrum.ha;

/**
 * What taking and giving up mastership does to the outside world: the virtual IPs, gratuitous
 * ARP, notify commands. Called off the event loops, in order, one transition at a time.
 */
public interface MasterActions {

    /** Became master: claim the virtual IPs, announce them, then notify. */
    void becameMaster(String reason);

    /** Left master (to backup or fault): release the virtual IPs first, then notify. */
    void leftMaster(HaState now, String reason);

    /** Still master after a split brain: announce the virtual IPs again (the other master had them). */
    default void reassert(String reason) {
    }

    /** Any other change (e.g. backup to fault): notify only. */
    default void changed(HaState from, HaState to, String reason) {
    }
}
