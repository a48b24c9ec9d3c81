package dev.fulcrum.appliance.cli;

import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * The signals a running appliance answers. SIGTERM and SIGINT ask for a graceful stop: handled
 * here rather than by the JVM's shutdown hooks, so the stop runs on the main thread and the
 * process exits 0 (a JVM ended by a signal exits 143); a second one while stopping changes
 * nothing, SIGKILL is the hard stop. SIGHUP reloads the configuration.
 */
final class ProcessSignals {

    private ProcessSignals() {
    }

    /** @return counts down when a stop signal arrives */
    static CountDownLatch stopOnTermOrInt() {
        CountDownLatch stop = new CountDownLatch(1);
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> stop.countDown());
        }
        return stop;
    }

    /** Runs {@code reload} (which must not block: it hands the work to a thread of its own) on SIGHUP. */
    static void reloadOnHup(Runnable reload) {
        Signal.handle(new Signal("HUP"), signal -> reload.run());
    }
}
