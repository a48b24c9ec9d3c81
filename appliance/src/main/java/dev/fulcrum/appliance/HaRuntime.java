package dev.fulcrum.appliance;

import dev.fulcrum.config.Endpoint;
import dev.fulcrum.config.HaConfig;
import dev.fulcrum.config.VipConfig;
import dev.fulcrum.ha.CommandRunner;
import dev.fulcrum.ha.HaNode;
import dev.fulcrum.ha.HaSettings;
import dev.fulcrum.ha.HaState;
import dev.fulcrum.ha.VipActions;
import dev.fulcrum.lbcore.pool.Pool;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * This node's part in the active-passive pair: heartbeats on a small event loop of their own,
 * virtual IPs and notify commands on mastership changes, and FAULT while a tracked pool has no
 * server up or a virtual IP's interface is down.
 */
final class HaRuntime implements AutoCloseable {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

    private final EventLoopGroup loop;
    private final HaNode node;
    private final ScheduledExecutorService tracker;

    private HaRuntime(EventLoopGroup loop, HaNode node, ScheduledExecutorService tracker) {
        this.loop = loop;
        this.node = node;
        this.tracker = tracker;
    }

    /** Call off the event loops: the secret file is read and peer names resolved here. */
    static HaRuntime start(HaConfig config, Map<String, Pool> pools, MeterRegistry registry)
            throws InterruptedException {
        byte[] secret;
        try {
            secret = Files.readString(config.secretFile(), StandardCharsets.UTF_8).strip()
                    .getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("ha: cannot read secret file " + config.secretFile(), e);
        }
        List<InetSocketAddress> peers = new ArrayList<>();
        for (Endpoint peer : config.peers()) {
            peers.add(new InetSocketAddress(peer.host(), peer.port()));
        }
        HaSettings settings = new HaSettings(config.node(), config.priority(), config.advertInterval(),
                config.deadAfter(), config.preempt(), config.preemptDelay());
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("fulcrum-ha", true),
                NioIoHandler.newFactory());
        try {
            HaNode node = HaNode.start(settings, new InetSocketAddress(config.bind().host(), config.bind().port()),
                    peers, loop.next(), secret, new VipActions(config.vips(), config.notifyCommands(),
                            CommandRunner.processes(COMMAND_TIMEOUT)), registry);
            List<Pool> tracked = config.trackPools().stream().map(pools::get).toList();
            List<String> interfaces = config.vips().stream().map(VipConfig::iface).distinct().toList();
            // Its own thread: reading the interfaces' state is file I/O, kept off the event loops.
            ScheduledExecutorService tracker = Executors.newSingleThreadScheduledExecutor(
                    new DefaultThreadFactory("fulcrum-ha-track", true));
            long interval = config.advertInterval().toNanos();
            tracker.scheduleAtFixedRate(() -> node.fault(failing(tracked, interfaces)), interval, interval,
                    TimeUnit.NANOSECONDS);
            return new HaRuntime(loop, node, tracker);
        } catch (InterruptedException | RuntimeException e) {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /**
     * Why this node must not be master, or null when all is well: a tracked pool with no server
     * up, or a virtual IP's interface that the kernel reports down.
     */
    private static String failing(List<Pool> tracked, List<String> interfaces) {
        for (Pool pool : tracked) {
            if (!pool.hasServerInRotation()) {
                return "every server of tracked pool " + pool.name() + " is down";
            }
        }
        for (String iface : interfaces) {
            if (InterfaceState.isDown(iface)) {
                return "interface " + iface + " is down";
            }
        }
        return null;
    }

    HaState state() {
        return node.state();
    }

    /** Hands mastership over (a priority-0 advert, virtual IPs released), then stops. */
    @Override
    public void close() {
        tracker.shutdownNow();
        node.close();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
