package dev.fulcrum.ha;

import java.time.Duration;

/**
 * What the state machine needs to know about this node.
 *
 * @param deadAfter a backup takes over when no master advert came for this long (default: 3 intervals)
 * @param preempt whether this node takes mastership back from a lower-ranked master
 * @param preemptDelay how long it waits, outranking the master, before it does
 */
public record HaSettings(String node, int priority, Duration advertInterval, Duration deadAfter, boolean preempt,
                         Duration preemptDelay) {

    public static HaSettings of(String node, int priority, Duration advertInterval) {
        return new HaSettings(node, priority, advertInterval, advertInterval.multipliedBy(3), true, Duration.ZERO);
    }

    public HaSettings {
        if (priority < 1 || priority > 255) {
            throw new IllegalArgumentException("priority must be 1..255, not " + priority);
        }
    }
}
