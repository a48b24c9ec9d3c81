package dev.fulcrum.appliance.logging;

import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusListener;

/**
 * Logback's own status at startup: errors only, on stderr. Without a listener, any warning in
 * the configuration (such as the JSON appender left unused when logging as text) makes
 * Logback print its whole start-up report, some thirty lines, on every start.
 */
public final class ErrorsOnlyStatusListener implements StatusListener {

    @Override
    public void addStatusEvent(Status status) {
        if (status.getEffectiveLevel() >= Status.ERROR) {
            System.err.println("logging: " + status.getMessage()
                    + (status.getThrowable() != null ? ": " + status.getThrowable() : ""));
        }
    }
}
