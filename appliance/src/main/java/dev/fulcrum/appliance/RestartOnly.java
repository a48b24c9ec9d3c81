package dev.fulcrum.appliance;

import dev.fulcrum.config.FulcrumConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * What a reload cannot change in a running process: the event loops, the admin listener and
 * the pair's identity. A file changing them is refused with this list; restart to apply it.
 */
final class RestartOnly {

    private RestartOnly() {
    }

    static List<String> changes(FulcrumConfig running, FulcrumConfig next) {
        List<String> changed = new ArrayList<>();
        if (!running.workers().equals(next.workers())) {
            changed.add(next.source() + ": workers changed; a reload cannot change it, restart to apply");
        }
        if (!running.admin().bind().equals(next.admin().bind())) {
            changed.add(next.source() + ": admin.bind changed; a reload cannot change it, restart to apply");
        }
        if (!running.ha().equals(next.ha())) {
            changed.add(next.source() + ": ha changed; a reload cannot change it, restart to apply");
        }
        return changed;
    }
}
