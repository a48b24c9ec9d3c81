package dev.fulcrum.lbcore.pool;

import dev.fulcrum.config.Endpoint;
import dev.fulcrum.config.ServerConfig;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backend server at runtime: its address and the few facts every event loop reads and updates
 * (open connections, health, admin state), kept in atomics so no lock is needed.
 */
public final class Server {

    private static final Logger LOG = LoggerFactory.getLogger(Server.class);

    /**
     * Bumped whenever any server becomes enabled, disabled, healthy or unhealthy: balancers that
     * precompute tables from the set of such servers (consistent hashing) compare one number per
     * pick instead of scanning their servers. Process-wide because changes are rare.
     */
    private static final AtomicLong MEMBERSHIP_EPOCH = new AtomicLong();

    private final String pool;
    private final String name;
    private final int index;
    private final InetSocketAddress address;
    private final String authority;
    private final int weight;
    private final int maxConnections;
    /** Shared with the server of the same name in the configuration this one replaced: see {@link #inheritState}. */
    private AtomicInteger activeConnections = new AtomicInteger();
    /** Shared the same way: requests begun before a reload end on the server that replaced theirs. */
    private AtomicInteger requestsInFlight = new AtomicInteger();
    private final AtomicInteger idleConnections = new AtomicInteger();
    /** {@link ServerStatus} bits; 0: in rotation. One word, so a pick reads one volatile. */
    private final AtomicInteger status = new AtomicInteger();
    private volatile ConnectionQueue queue = ConnectionQueue.NONE;
    private volatile ServerEvents events = ServerEvents.NONE;
    private volatile Transition lastTransition = Transition.INITIAL;
    private volatile long slowStartNanos;
    /** {@link System#nanoTime()} until which the server is warming up after coming back; 0: not warming. */
    private volatile long warmUntilNanos;
    private volatile long warmFromNanos;
    private final PassiveState passive = new PassiveState();

    /**
     * @param index position in its pool, so per-server data can live in arrays
     * @param maxConnections cap on open plus opening connections; 0 means no cap
     */
    public Server(String pool, String name, int index, InetSocketAddress address, int weight, int maxConnections) {
        this(pool, name, index, address, authorityOf(address), weight, maxConnections);
    }

    /** @param authority the address as configured, {@code host:port}, as a Host header names it */
    public Server(String pool, String name, int index, InetSocketAddress address, String authority, int weight,
                  int maxConnections) {
        if (weight < 1) {
            throw new IllegalArgumentException("server " + pool + "/" + name + ": weight must be at least 1");
        }
        if (maxConnections < 0) {
            throw new IllegalArgumentException("server " + pool + "/" + name + ": max connections must not be negative");
        }
        this.pool = pool;
        this.name = name;
        this.index = index;
        this.address = address;
        this.authority = authority;
        this.weight = weight;
        this.maxConnections = maxConnections;
    }

    /** Builds from configuration; call off the event loops, since a host name is resolved here. */
    public static Server fromConfig(String pool, int index, ServerConfig config) {
        return new Server(pool, config.name(), index, resolve(pool, config), config.address().toString(),
                config.weight(), config.maxConnections());
    }

    private static String authorityOf(InetSocketAddress address) {
        String host = address.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private static InetSocketAddress resolve(String pool, ServerConfig config) {
        Endpoint endpoint = config.address();
        InetAddress literal = NetUtil.createInetAddressFromIpAddressString(endpoint.host());
        if (literal != null) {
            return new InetSocketAddress(literal, endpoint.port());
        }
        InetSocketAddress resolved = new InetSocketAddress(endpoint.host(), endpoint.port());
        if (resolved.isUnresolved()) {
            // Kept unresolved: connecting fails (502) rather than blocking an event loop on DNS.
            LOG.warn("server {}/{}: cannot resolve {}", pool, config.name(), endpoint.host());
        }
        return resolved;
    }

    public String pool() {
        return pool;
    }

    public String name() {
        return name;
    }

    public int index() {
        return index;
    }

    public InetSocketAddress address() {
        return address;
    }

    /** {@code host:port} as configured: what a pool with {@code host_header: server} sends as Host. */
    public String authority() {
        return authority;
    }

    public int weight() {
        return weight;
    }

    public int maxConnections() {
        return maxConnections;
    }

    /** Connections open or being opened to this server. */
    public int activeConnections() {
        return activeConnections.get();
    }

    /**
     * Counts one more connection if the cap allows; call before opening it, so connections
     * being opened count against the cap too.
     *
     * @return false when the server is at its cap
     */
    public boolean tryAcquireConnection() {
        if (maxConnections == 0) {
            activeConnections.incrementAndGet();
            return true;
        }
        for (;;) {
            int current = activeConnections.get();
            if (current >= maxConnections) {
                return false;
            }
            if (activeConnections.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    /** Uncounts a connection taken with {@link #tryAcquireConnection()} once it is closed. */
    public void releaseConnection() {
        activeConnections.decrementAndGet();
        queue.roomFreed();
    }

    /**
     * Of {@link #activeConnections()}, those idle in some event loop's pool: room that nobody
     * uses, which a request of another loop may have closed to make room. Not carried over a
     * reload (the pools holding them close with their snapshot).
     */
    public int idleConnections() {
        return idleConnections.get();
    }

    /** A connection to this server went idle in a pool (+1) or left it (-1). */
    public void idleChanged(int delta) {
        idleConnections.addAndGet(delta);
    }

    /** Requests sent to this server whose exchange has not ended: what least_conn compares. */
    public int requestsInFlight() {
        return requestsInFlight.get();
    }

    /**
     * Counts a request sent to this server: call once per request (per attempt, when a retry
     * goes to another server) as soon as the server is chosen, and pair it with exactly one
     * {@link #endRequest()} however the exchange ends. A tcp listener counts each relayed
     * connection as one request. Unlike {@link #activeConnections()}, idle pooled connections
     * do not count.
     */
    public void beginRequest() {
        requestsInFlight.incrementAndGet();
    }

    /** Uncounts a request counted with {@link #beginRequest()}. */
    public void endRequest() {
        requestsInFlight.decrementAndGet();
    }

    /**
     * Joins the pool: its queue is woken whenever a connection is released, and a server coming
     * back warms up over {@code slowStart}.
     */
    void joinPool(ConnectionQueue poolQueue, Duration slowStart) {
        this.queue = poolQueue;
        this.slowStartNanos = slowStart.toNanos();
    }

    /**
     * Wakes a request of that event loop waiting in this server's pool queue, if any: it will
     * find the connection this server just left idle there.
     */
    public boolean wakeWaiterOn(EventExecutor loop) {
        return queue.wakeOneOn(loop);
    }

    /** Connections or requests wait in this server's pool queue for room. */
    public boolean hasWaiters() {
        return queue.waiting() > 0;
    }

    /** Where this server's transitions are reported (logs, metrics). */
    public void reportTo(ServerEvents sink) {
        this.events = sink;
    }

    // ---- state -----------------------------------------------------------------------------------

    /** What an operator set: enabled, draining (no new traffic, existing sessions kept) or disabled. */
    public AdminState adminState() {
        int s = status.get();
        return (s & ServerStatus.DISABLED) != 0 ? AdminState.DISABLED
                : (s & ServerStatus.DRAINING) != 0 ? AdminState.DRAINING : AdminState.ENABLED;
    }

    public void setAdminState(AdminState admin, String reason) {
        int bits = switch (admin) {
            case ENABLED -> 0;
            case DRAINING -> ServerStatus.DRAINING;
            case DISABLED -> ServerStatus.DISABLED;
        };
        change(ServerStatus.DISABLED | ServerStatus.DRAINING, bits, reason);
    }

    /** Admin state ENABLED (not draining, not disabled). */
    public boolean isEnabled() {
        return (status.get() & (ServerStatus.DISABLED | ServerStatus.DRAINING)) == 0;
    }

    public void setEnabled(boolean value) {
        setAdminState(value ? AdminState.ENABLED : AdminState.DISABLED, value ? "enabled" : "disabled");
    }

    /** Up by its active checks (always, without them). */
    public boolean isHealthy() {
        return (status.get() & ServerStatus.DOWN) == 0;
    }

    public void setHealthy(boolean value) {
        setHealthy(value, value ? "up" : "down");
    }

    /** @param reason why, for logs, the API and the status page: "3 failed checks: connection refused" */
    public void setHealthy(boolean value, String reason) {
        change(ServerStatus.DOWN, value ? 0 : ServerStatus.DOWN, reason);
    }

    /** Taken out by passive detection until {@link #setEjected(boolean, String)} puts it back. */
    public boolean isEjected() {
        return (status.get() & ServerStatus.EJECTED) != 0;
    }

    /** @return true when this call changed it (so exactly one of racing callers times the ejection) */
    public boolean setEjected(boolean value, String reason) {
        return change(ServerStatus.EJECTED, value ? ServerStatus.EJECTED : 0, reason);
    }

    /**
     * Takes over the state of the server of the same pool and name in the configuration being
     * replaced: health, ejection, admin state and the counts of open connections and requests in
     * flight survive a reload; renaming a server resets them. Call before the pool is published
     * to other threads.
     */
    public void inheritState(Server previous) {
        // One count for both: connections opened before the reload still hold the cap, and release it on close.
        activeConnections = previous.activeConnections;
        requestsInFlight = previous.requestsInFlight;
        status.set(previous.status.get());
        lastTransition = previous.lastTransition;
        warmFromNanos = previous.warmFromNanos;
        warmUntilNanos = previous.warmUntilNanos;
        passive.copyFrom(previous.passive);
    }

    /** The last change of state and why. */
    public Transition lastTransition() {
        return lastTransition;
    }

    /** Counters of passive outlier detection. */
    public PassiveState passive() {
        return passive;
    }

    /**
     * Sets the {@code mask} bits of the status to {@code bits}; reports and records a real change.
     *
     * @return false when they already had that value
     */
    private boolean change(int mask, int bits, String reason) {
        for (;;) {
            int before = status.get();
            int after = (before & ~mask) | bits;
            if (before == after) {
                return false;
            }
            if (status.compareAndSet(before, after)) {
                MEMBERSHIP_EPOCH.incrementAndGet();
                Transition transition = new Transition(ServerStatus.describe(before), ServerStatus.describe(after),
                        reason, ServerStatus.cause(before ^ after), System.currentTimeMillis());
                lastTransition = transition;
                if (after == 0) {
                    cameBack();
                }
                events.transition(this, transition);
                return true;
            }
        }
    }

    /** Back in rotation: warm up over slow start, and let waiting connections try. */
    private void cameBack() {
        long slowStart = slowStartNanos;
        if (slowStart > 0) {
            long now = System.nanoTime();
            warmFromNanos = now;
            warmUntilNanos = now + slowStart;
        }
        queue.roomFreed();
    }

    /**
     * The share of its weight the server takes now: below 1 while it warms up after coming back
     * (slow start), ramping linearly from a tenth, else 1.
     */
    public double warmth() {
        long until = warmUntilNanos;
        if (until == 0) {
            return 1.0;
        }
        long now = System.nanoTime();
        if (now - until >= 0) {
            warmUntilNanos = 0;
            return 1.0;
        }
        double fraction = (double) (now - warmFromNanos) / (until - warmFromNanos);
        return Math.max(0.1, Math.min(1.0, fraction));
    }

    /**
     * Whether a balancer may hand this server the next connection, given its warmth: a server
     * at 30% of its warm-up takes about 30% of the picks that would otherwise be its.
     */
    public boolean admitsWhileWarming() {
        double warmth = warmth();
        return warmth >= 1.0 || ThreadLocalRandom.current().nextDouble() < warmth;
    }

    /** The weight balancers compare by: the configured weight scaled by {@link #warmth()}. */
    public double effectiveWeight() {
        return weight * warmth();
    }

    /**
     * Enabled, up and not ejected: in the pool's rotation. Unlike {@link #isEligible()} this ignores the
     * connection cap, which changes with every connection and must not reshape hash tables.
     */
    public boolean isInRotation() {
        return status.get() == 0;
    }

    /**
     * May take a client pinned to it by a sticky cookie: up, not ejected, not disabled, under
     * its cap. Unlike new clients, pinned ones may go to a draining server.
     */
    public boolean acceptsSticky() {
        return (status.get() & ~ServerStatus.DRAINING) == 0 && hasConnectionRoom();
    }

    /** Under its connection cap (counting connections being opened), or uncapped. */
    public boolean hasConnectionRoom() {
        return maxConnections == 0 || activeConnections.get() < maxConnections;
    }

    /** May receive new requests: enabled, healthy and under its connection cap. */
    public boolean isEligible() {
        return isInRotation() && hasConnectionRoom();
    }

    /**
     * A number that changes (after the flag) whenever any server's {@link #isInRotation()}
     * changes. Read it before reading the flags: a table built from flags read after epoch E and
     * stamped E is rebuilt if anything changed since.
     */
    public static long membershipEpoch() {
        return MEMBERSHIP_EPOCH.get();
    }

    @Override
    public String toString() {
        return pool + "/" + name + "@" + address;
    }
}
