package dev.fulcrum.ha;

import dev.fulcrum.config.TrackCommand;

/**
 * A tracked command's verdict with keepalived's fall and rise: {@code fall} failed runs in a row
 * make the node unfit to be master, {@code rise} good runs in a row make it fit again. The first
 * run decides at once, so a node that starts unfit never takes mastership. Call from one thread
 * at a time (the tracker's); the process runs there, never on an event loop.
 */
public final class TrackCommandCheck {

    private final TrackCommand track;
    private final CommandRunner runner;
    private boolean judged;
    private boolean fit = true;
    private int streak;

    /** @param runner bounded by the track command's timeout */
    public TrackCommandCheck(TrackCommand track, CommandRunner runner) {
        this.track = track;
        this.runner = runner;
    }

    /** Runs the command once. @return why this node is unfit, or null while it is fit */
    public String runOnce() {
        boolean passed = runner.run(track.command());
        if (!judged) {
            judged = true;
            fit = passed;
            streak = 0;
        } else if (passed == fit) {
            streak = 0;
        } else if (++streak >= (fit ? track.fall() : track.rise())) {
            fit = passed;
            streak = 0;
        }
        return fit ? null : "track command " + String.join(" ", track.command()) + " is failing";
    }
}
