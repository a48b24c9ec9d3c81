package dev.fulcrum.ha;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node of the pair on the network: a UDP socket that sends this node's advert to every peer
 * each interval and feeds the adverts it receives (after {@link AdvertCodec} checks them) to the
 * state machine, all on one event loop. What mastership changes outside (virtual IPs, notify)
 * runs on a thread of its own, in order, never on the event loop. The socket is a NIO one: give
 * it a NIO event loop (heartbeats are a few packets a second; epoll buys nothing here).
 */
public final class HaNode implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HaNode.class);

    private final HaSettings settings;
    private final List<InetSocketAddress> peers;
    private final EventLoop loop;
    private final AdvertCodec codec;
    private final HaStateMachine machine;
    private final MasterActions actions;
    private final HaMeters meters;
    private final ExecutorService actionThread;
    private long sequence;
    private long lastMasterHeardMillis = System.currentTimeMillis();
    private Channel channel;
    private ScheduledFuture<?> ticker;

    private HaNode(HaSettings settings, List<InetSocketAddress> peers, EventLoop loop, byte[] secret,
                   MasterActions actions, MeterRegistry registry) {
        this.settings = settings;
        this.peers = List.copyOf(peers);
        this.loop = loop;
        this.actions = actions;
        // Adverts older than dead_after would only confuse the state machine.
        this.codec = new AdvertCodec(secret, settings.node(), Math.max(2_000, settings.deadAfter().toMillis()));
        this.machine = new HaStateMachine(settings, System::nanoTime, new HaStateMachine.Listener() {
            @Override
            public void transition(HaState from, HaState to, String reason) {
                HaNode.this.transition(from, to, reason);
            }

            @Override
            public void reassert(String reason) {
                actionThread.execute(() -> run(() -> actions.reassert(reason)));
            }
        });
        this.meters = new HaMeters(registry, settings.node(), machine::state);
        this.actionThread = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "fulcrum-ha-actions");
            thread.setDaemon(true);
            return thread;
        });
        // Above every sequence an earlier run of this node can have sent, so peers never take it for a replay.
        this.sequence = System.currentTimeMillis() * 1000;
    }

    /** Binds the socket and starts advertising. Call off the event loop. */
    public static HaNode start(HaSettings settings, InetSocketAddress bind, List<InetSocketAddress> peers,
                               EventLoop loop, byte[] secret, MasterActions actions, MeterRegistry registry)
            throws InterruptedException {
        HaNode node = new HaNode(settings, peers, loop, secret, actions, registry);
        node.channel = new Bootstrap().group(loop).channel(NioDatagramChannel.class)
                .handler(node.new Receiver()).bind(bind).sync().channel();
        loop.submit(() -> {
            node.machine.start();
            long interval = settings.advertInterval().toNanos();
            node.ticker = loop.scheduleAtFixedRate(node::everyInterval, 0, interval, TimeUnit.NANOSECONDS);
        }).sync();
        return node;
    }

    public HaState state() {
        return loop.submit(machine::state).syncUninterruptibly().getNow();
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    private void everyInterval() {
        machine.tick();
        advertise();
    }

    private void advertise() {
        byte[] advert = codec.encode(new Advert(settings.node(), machine.advertisedPriority(), machine.state(),
                ++sequence, System.currentTimeMillis()));
        for (InetSocketAddress peer : peers) {
            channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(advert), peer));
            meters.sent.increment();
        }
        machine.advertSent();
    }

    private void transition(HaState from, HaState to, String reason) {
        meters.transition(from, to);
        if (to == HaState.MASTER) {
            meters.takeover(System.currentTimeMillis() - lastMasterHeardMillis);
            actionThread.execute(() -> run(() -> actions.becameMaster(reason)));
            // Peers learn at once, not at the next interval.
            advertise();
        } else if (from == HaState.MASTER) {
            actionThread.execute(() -> run(() -> actions.leftMaster(to, reason)));
        } else {
            actionThread.execute(() -> run(() -> actions.changed(from, to, reason)));
        }
    }

    private void run(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.error("ha {}: action failed", settings.node(), e);
        }
    }

    /** A tracked condition failed ({@code reason}) or passes again (null). */
    public void fault(String reason) {
        loop.execute(() -> machine.fault(reason));
    }

    /**
     * A graceful stop: one priority-0 advert so the peer takes over at once, then the socket
     * closes; mastership actions are undone (virtual IPs released).
     */
    @Override
    public void close() {
        loop.submit(() -> {
            machine.shutdown();
            advertise();
            if (ticker != null) {
                ticker.cancel(false);
            }
            if (machine.state() == HaState.MASTER) {
                actionThread.execute(() -> run(() -> actions.leftMaster(HaState.BACKUP, "shutting down")));
            }
        }).syncUninterruptibly();
        channel.close().syncUninterruptibly();
        actionThread.shutdown();
        try {
            actionThread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Test support: stops as a crashed process would, sending nothing more. */
    void crash() {
        loop.submit(() -> {
            if (ticker != null) {
                ticker.cancel(false);
            }
        }).syncUninterruptibly();
        channel.close().syncUninterruptibly();
        actionThread.shutdownNow();
    }

    private final class Receiver extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            AdvertCodec.Decoded decoded = codec.decode(ByteBufUtil.getBytes(packet.content()),
                    System.currentTimeMillis());
            if (decoded.rejection() != null) {
                meters.rejected(decoded.rejection());
                LOG.debug("ha {}: advert from {} dropped: {}", settings.node(), packet.sender(), decoded.rejection());
                return;
            }
            meters.received.increment();
            if (decoded.advert().state() == HaState.MASTER && decoded.advert().priority() > 0) {
                lastMasterHeardMillis = System.currentTimeMillis();
            }
            machine.onAdvert(decoded.advert());
        }
    }
}
