package dev.fulcrum.appliance;

import dev.fulcrum.ha.HaState;
import dev.fulcrum.ha.MastershipStep;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code listeners_follow_state}: the listeners are bound only while this node is master. For
 * listeners bound to the virtual IP itself (bound once the address is here), and for networks
 * where the VIP moves by command and a backup must refuse rather than answer.
 */
final class ListenersFollowMastership implements MastershipStep {

    private static final Logger LOG = LoggerFactory.getLogger(ListenersFollowMastership.class);

    private final ListenerSet listeners;

    ListenersFollowMastership(ListenerSet listeners) {
        this.listeners = listeners;
    }

    @Override
    public void acquire(String reason) {
        try {
            listeners.bind();
            LOG.info("ha: master, listening: {}", listeners);
        } catch (StartException e) {
            // The VIP stays here: the listeners that did bind are undone, and the log says which failed.
            LOG.error("ha: master but cannot listen: {}", e.getMessage());
        }
    }

    @Override
    public void release(HaState now, String reason) {
        listeners.unbind();
        LOG.info("ha: {}, listeners unbound; open connections carry on", now.key());
    }
}
