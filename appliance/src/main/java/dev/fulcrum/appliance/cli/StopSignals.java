package dev.fulcrum.appliance.cli;

import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT as a request to stop gracefully: handled here rather than by the JVM's
 * shutdown hooks, so the stop runs on the main thread and the process exits 0 (a JVM ended by a
 * signal exits 143). A second signal while stopping changes nothing; SIGKILL is the hard stop.
 */
final class StopSignals {

    private StopSignals() {
    }

    /** @return counts down when a stop signal arrives */
    static CountDownLatch install() {
        CountDownLatch stop = new CountDownLatch(1);
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> stop.countDown());
        }
        return stop;
    }
}
