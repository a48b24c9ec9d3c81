package dev.fulcrum.lbcore.pool;

import dev.fulcrum.config.FailurePolicy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A named, immutable set of servers and the balancer that chooses among them. */
public final class Pool {

    private static final Logger LOG = LoggerFactory.getLogger(Pool.class);

    private final String name;
    private final List<Server> servers;
    private final Balancer balancer;
    private final ConnectionQueue queue;
    private final boolean panicWhenAllDown;
    private final AtomicInteger panicNext = new AtomicInteger();
    private final LongAdder panicPicks = new LongAdder();
    private volatile boolean inPanic;

    /** A pool whose connections never wait for a server: at the cap they are refused. */
    public Pool(String name, List<Server> servers, Balancer balancer) {
        this(name, servers, balancer, 0, Duration.ofSeconds(1), FailurePolicy.DEFAULTS);
    }

    /**
     * @param maxPending connections that may wait while every server is at its cap
     * @param queueTimeout longest such wait
     * @param failure slow start of servers coming back, and panic when none is up
     */
    public Pool(String name, List<Server> servers, Balancer balancer, int maxPending, Duration queueTimeout,
                FailurePolicy failure) {
        this.name = name;
        this.servers = List.copyOf(servers);
        this.balancer = balancer;
        this.queue = maxPending == 0 ? ConnectionQueue.NONE
                : new ConnectionQueue(maxPending, queueTimeout, this::hasRoom);
        this.panicWhenAllDown = failure.panicWhenAllDown();
        this.servers.forEach(server -> server.joinPool(queue, failure.slowStart()));
        for (int i = 0; i < this.servers.size(); i++) {
            Server server = this.servers.get(i);
            if (server.index() != i || !server.pool().equals(name)) {
                throw new IllegalArgumentException("server " + server + " is not at index " + i + " of pool " + name);
            }
        }
    }

    public String name() {
        return name;
    }

    /** In configuration order; a server's {@link Server#index()} is its position here. */
    public List<Server> servers() {
        return servers;
    }

    public Balancer balancer() {
        return balancer;
    }

    /**
     * An eligible server for this client or request, or null when none is eligible. In panic
     * mode ({@code when_all_down: panic}), when no server is up at all, any enabled server with
     * room is used rather than none.
     */
    public Server pick(BalancingContext context) {
        Server server = balancer.pick(context);
        if (server != null) {
            if (inPanic) {
                inPanic = false;
                LOG.warn("pool {}: a server is up again; panic mode ends", name);
            }
            return server;
        }
        return panicWhenAllDown ? panicPick() : null;
    }

    private Server panicPick() {
        if (hasServerInRotation()) {
            // Servers are up but full: that is for the queue, not for panic.
            return null;
        }
        int count = servers.size();
        int start = panicNext.getAndIncrement() & Integer.MAX_VALUE;
        for (int i = 0; i < count; i++) {
            Server candidate = servers.get((start + i) % count);
            if (candidate.isEnabled() && candidate.hasConnectionRoom()) {
                if (!inPanic) {
                    inPanic = true;
                    LOG.error("pool {}: PANIC: no server is up; sending traffic to every enabled server anyway",
                            name);
                }
                panicPicks.increment();
                return candidate;
            }
        }
        return null;
    }

    /** True while the pool sends traffic to servers that are down because none is up. */
    public boolean inPanic() {
        return inPanic;
    }

    /** Connections or requests sent to a down server because the pool was in panic. */
    public long panicPicks() {
        return panicPicks.sum();
    }

    /** Where connections wait while every server in rotation is at its connection cap. */
    public ConnectionQueue queue() {
        return queue;
    }

    /** Some server in rotation could take one more connection now. */
    public boolean hasRoom() {
        for (Server server : servers) {
            if (server.isEligible()) {
                return true;
            }
        }
        return false;
    }

    /** Some server is in rotation (enabled and healthy), whether or not it is at its cap. */
    public boolean hasServerInRotation() {
        for (Server server : servers) {
            if (server.isInRotation()) {
                return true;
            }
        }
        return false;
    }

    /** The server of that name, or null. */
    public Server server(String serverName) {
        for (Server server : servers) {
            if (server.name().equals(serverName)) {
                return server;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "Pool[" + name + ", " + servers.size() + " servers]";
    }
}
