package dev.fulcrum.appliance;

import dev.fulcrum.config.Endpoint;
import dev.fulcrum.config.HaConfig;
import dev.fulcrum.config.VipConfig;
import dev.fulcrum.ha.CommandRunner;
import dev.fulcrum.ha.GratuitousArp;
import dev.fulcrum.ha.HaNode;
import dev.fulcrum.ha.HaSettings;
import dev.fulcrum.ha.HaState;
import dev.fulcrum.ha.MastershipActions;
import dev.fulcrum.ha.MastershipStep;
import dev.fulcrum.ha.TrackCommandCheck;
import dev.fulcrum.ha.VipCommandStep;
import dev.fulcrum.ha.VirtualAddresses;
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
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * This node's part in the active-passive pair: heartbeats on a small event loop of their own;
 * on mastership changes the virtual IPs, the listeners (when they follow the state), the VIP
 * command and notify; FAULT while a tracked pool has no server up, a virtual IP's interface is
 * down or the track command fails.
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

    /**
     * Call off the event loops: the secret file is read and peer names resolved here.
     *
     * @param pools the running pools (a reload replaces them)
     * @param followers the listeners, when they are bound only while master; else null
     */
    static HaRuntime start(HaConfig config, Supplier<Map<String, Pool>> pools, MeterRegistry registry,
                           ListenerSet followers)
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
        CommandRunner runner = CommandRunner.processes(COMMAND_TIMEOUT);
        MastershipActions actions = new MastershipActions(steps(config, followers, runner), config.notifyCommands(),
                runner);
        actions.clearLeftovers();
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("fulcrum-ha", true),
                NioIoHandler.newFactory());
        // Its own threads: reading the interfaces' state is file I/O and the track command a
        // process; neither may hold up an event loop, nor the command the interface checks.
        ScheduledExecutorService tracker = Executors.newScheduledThreadPool(2,
                new DefaultThreadFactory("fulcrum-ha-track", true));
        try {
            HaNode node = HaNode.start(settings, new InetSocketAddress(config.bind().host(), config.bind().port()),
                    peers, loop.next(), secret, actions, registry);
            List<String> tracked = config.trackPools();
            List<String> interfaces = config.vips().stream().map(VipConfig::iface).distinct().toList();
            AtomicReference<String> commandFailure = new AtomicReference<>();
            config.trackCommand().ifPresent(track -> {
                TrackCommandCheck check = new TrackCommandCheck(track, CommandRunner.processes(track.timeout()));
                tracker.scheduleWithFixedDelay(() -> commandFailure.set(check.runOnce()), 0,
                        track.interval().toNanos(), TimeUnit.NANOSECONDS);
            });
            long interval = config.advertInterval().toNanos();
            tracker.scheduleAtFixedRate(() -> {
                String failing = failing(tracked, pools.get(), interfaces);
                node.fault(failing != null ? failing : commandFailure.get());
            }, interval, interval, TimeUnit.NANOSECONDS);
            return new HaRuntime(loop, node, tracker);
        } catch (InterruptedException | RuntimeException e) {
            tracker.shutdownNow();
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** Becoming master: addresses first, then listeners on them, then the announcement, then the VIP command. */
    private static List<MastershipStep> steps(HaConfig config, ListenerSet followers, CommandRunner runner) {
        List<MastershipStep> steps = new ArrayList<>();
        if (!config.vips().isEmpty()) {
            steps.add(new VirtualAddresses(config.vips(), runner));
        }
        if (followers != null) {
            steps.add(new ListenersFollowMastership(followers));
        }
        if (!config.vips().isEmpty()) {
            steps.add(new GratuitousArp(config.vips(), runner));
        }
        config.vipCommand().ifPresent(command -> steps.add(new VipCommandStep(command, runner)));
        return steps;
    }

    /**
     * Why this node must not be master, or null when all is well: a tracked pool with no server
     * up, or a virtual IP's interface that the kernel reports down.
     */
    private static String failing(List<String> tracked, Map<String, Pool> pools, List<String> interfaces) {
        for (String name : tracked) {
            Pool pool = pools.get(name);
            if (pool != null && !pool.hasServerInRotation()) {
                return "every server of tracked pool " + name + " is down";
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
