package dev.fulcrum.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.testing.LeakReports;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two nodes on loopback: one master, the other takes over when it stops or crashes. */
class HaNodeTest {

    private static final byte[] SECRET = "the pair's shared secret".getBytes(StandardCharsets.UTF_8);
    private static final Duration INTERVAL = Duration.ofMillis(50);

    private final EventLoopGroup loops = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<HaNode> nodes = new CopyOnWriteArrayList<>();

    /** What a node's mastership did, in order. */
    private static final class Recorder implements MasterActions {
        final List<String> done = new CopyOnWriteArrayList<>();

        @Override
        public void becameMaster(String reason) {
            done.add("vip up");
        }

        @Override
        public void leftMaster(HaState now, String reason) {
            done.add("vip down");
        }
    }

    @BeforeEach
    void resetLeaks() {
        LeakReports.reset();
    }

    @AfterEach
    void stop() {
        for (HaNode node : nodes) {
            try {
                node.close();
            } catch (RuntimeException alreadyClosed) {
                // crashed on purpose
            }
        }
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        LeakReports.assertNone();
    }

    private static InetSocketAddress freeUdpPort() throws Exception {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
        }
    }

    private HaNode node(String name, int priority, InetSocketAddress bind, InetSocketAddress peer, Recorder actions)
            throws Exception {
        return node(HaSettings.of(name, priority, INTERVAL), bind, peer, actions);
    }

    private HaNode node(HaSettings settings, InetSocketAddress bind, InetSocketAddress peer, Recorder actions)
            throws Exception {
        HaNode node = HaNode.start(settings, bind, List.of(peer), loops.next(), SECRET, actions, registry);
        nodes.add(node);
        return node;
    }

    @Test
    void theHigherPriorityNodeIsMasterAndThePeerTakesOverAtOnceOnAGracefulStop() throws Exception {
        InetSocketAddress a = freeUdpPort();
        InetSocketAddress b = freeUdpPort();
        Recorder actionsA = new Recorder();
        Recorder actionsB = new Recorder();
        HaNode nodeA = node("lb-a", 200, a, b, actionsA);
        // A backup that would wait a whole minute for a silent master: only the handover can make it master.
        HaNode nodeB = node(new HaSettings("lb-b", 100, INTERVAL, Duration.ofMinutes(1), true, Duration.ZERO), b, a,
                actionsB);
        await().atMost(Duration.ofSeconds(5)).until(() -> nodeA.state() == HaState.MASTER
                && nodeB.state() == HaState.BACKUP);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> nodeA.state() == HaState.MASTER && nodeB.state() == HaState.BACKUP);

        nodeA.close();
        nodes.remove(nodeA);
        await().atMost(Duration.ofSeconds(5)).until(() -> nodeB.state() == HaState.MASTER);
        assertThat(actionsA.done).containsExactly("vip up", "vip down");
        await().atMost(Duration.ofSeconds(2)).until(() -> actionsB.done.equals(List.of("vip up")));
        assertThat(registry.get(HaMeters.ADVERTS_RECEIVED).tag("node", "lb-b").counter().count()).isPositive();
    }

    @Test
    void aCrashedMasterIsReplacedAfterDeadAfterAndPreemptsWhenBack() throws Exception {
        InetSocketAddress a = freeUdpPort();
        InetSocketAddress b = freeUdpPort();
        HaNode nodeA = node("lb-a", 200, a, b, new Recorder());
        HaNode nodeB = node("lb-b", 100, b, a, new Recorder());
        await().atMost(Duration.ofSeconds(5)).until(() -> nodeA.state() == HaState.MASTER
                && nodeB.state() == HaState.BACKUP);
        nodeA.crash();
        nodes.remove(nodeA);
        await().atMost(Duration.ofSeconds(2)).until(() -> nodeB.state() == HaState.MASTER);
        assertThat(registry.get(HaMeters.LAST_TAKEOVER).tag("node", "lb-b").gauge().value())
                .as("seconds from the last advert heard to mastership: at least dead_after").isGreaterThan(0.14);

        HaNode back = node("lb-a", 200, a, b, new Recorder());
        await().atMost(Duration.ofSeconds(5)).until(() -> back.state() == HaState.MASTER
                && nodeB.state() == HaState.BACKUP);
    }

    @Test
    void advertsWithAnotherSecretAreCountedAndIgnored() throws Exception {
        InetSocketAddress a = freeUdpPort();
        InetSocketAddress b = freeUdpPort();
        HaNode nodeB = node("lb-b", 100, b, a, new Recorder());
        HaNode intruder = HaNode.start(HaSettings.of("lb-x", 255, INTERVAL), a, List.of(b), loops.next(),
                "not the secret".getBytes(StandardCharsets.UTF_8), new Recorder(), new SimpleMeterRegistry());
        nodes.add(intruder);
        await().atMost(Duration.ofSeconds(5)).until(() -> registry.get(HaMeters.ADVERTS_REJECTED).tag("node", "lb-b")
                .tag("reason", "bad_signature").counter().count() > 3);
        await().atMost(Duration.ofSeconds(2)).until(() -> nodeB.state() == HaState.MASTER);
    }
}
