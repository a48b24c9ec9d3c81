package dev.fulcrum.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The active-passive pair: this node's identity, its peers and the virtual IPs it may hold. */
public record HaConfig(
        String node,
        int priority,
        Endpoint bind,
        List<Endpoint> peers,
        Duration advertInterval,
        Path secretFile,
        List<VipConfig> vips) {

    public static final Duration DEFAULT_ADVERT_INTERVAL = Duration.ofMillis(100);

    public HaConfig {
        peers = List.copyOf(peers);
        vips = List.copyOf(vips);
    }
}
