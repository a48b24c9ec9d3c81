package dev.fulcrum.ha;

/**
 * A heartbeat: who sends it, with what priority, in what state.
 *
 * @param priority 1..255; 0 means "do not count on me" (shutting down, or in fault)
 * @param sequence grows with every advert of a node, across its restarts too, so replays are recognised
 * @param timestampMillis when it was sent (wall clock), so old captured adverts are stale
 */
public record Advert(String node, int priority, HaState state, long sequence, long timestampMillis) {

    public Advert {
        if (priority < 0 || priority > 255) {
            throw new IllegalArgumentException("priority must be 0..255, not " + priority);
        }
    }
}
