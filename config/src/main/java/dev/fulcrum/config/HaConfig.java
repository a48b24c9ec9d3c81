package dev.fulcrum.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The active-passive pair: this node's identity, its peers and the virtual IPs it may hold.
 *
 * @param preempt whether this node takes mastership back from a lower-ranked master
 * @param preemptDelay how long it outranks the master before it does
 * @param deadAfter a backup takes over after this long without a master's advert (default 3 intervals)
 * @param notifyCommands commands run (argument lists, no shell) on becoming master, backup or fault
 * @param trackPools pools whose servers all down put this node in FAULT
 * @param trackCommand a command whose failures put this node in FAULT
 * @param vipCommand how mastership moves the virtual IP without layer-2 adjacency
 * @param listenersFollowState bind the listeners only while master (and unbind on leaving)
 */
public record HaConfig(
        String node,
        int priority,
        Endpoint bind,
        List<Endpoint> peers,
        Duration advertInterval,
        Path secretFile,
        List<VipConfig> vips,
        boolean preempt,
        Duration preemptDelay,
        Duration deadAfter,
        Map<String, List<String>> notifyCommands,
        List<String> trackPools,
        Optional<TrackCommand> trackCommand,
        Optional<VipCommand> vipCommand,
        boolean listenersFollowState) {

    public static final Duration DEFAULT_ADVERT_INTERVAL = Duration.ofMillis(100);

    public HaConfig {
        peers = List.copyOf(peers);
        vips = List.copyOf(vips);
        notifyCommands = Map.copyOf(notifyCommands);
        trackPools = List.copyOf(trackPools);
    }

    /** Preempting, no delay, dead after 3 intervals, no notify, nothing tracked, listeners always bound. */
    public HaConfig(String node, int priority, Endpoint bind, List<Endpoint> peers, Duration advertInterval,
                    Path secretFile, List<VipConfig> vips) {
        this(node, priority, bind, peers, advertInterval, secretFile, vips, true, Duration.ZERO,
                advertInterval.multipliedBy(3), Map.of(), List.of(), Optional.empty(), Optional.empty(), false);
    }
}
