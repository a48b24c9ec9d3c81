package dev.fulcrum.lbcore.pool;

import dev.fulcrum.config.Endpoint;
import dev.fulcrum.config.ServerConfig;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;
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
    private final AtomicInteger activeConnections = new AtomicInteger();
    private final AtomicBoolean enabled = new AtomicBoolean(true);
    private final AtomicBoolean healthy = new AtomicBoolean(true);
    private volatile ConnectionQueue queue = ConnectionQueue.NONE;

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

    /** The queue of the pool this server belongs to, woken whenever a connection is released. */
    void joinQueue(ConnectionQueue poolQueue) {
        this.queue = poolQueue;
    }

    public boolean isEnabled() {
        return enabled.get();
    }

    public void setEnabled(boolean value) {
        if (enabled.compareAndSet(!value, value)) {
            MEMBERSHIP_EPOCH.incrementAndGet();
            if (value) {
                queue.roomFreed();
            }
        }
    }

    public boolean isHealthy() {
        return healthy.get();
    }

    public void setHealthy(boolean value) {
        if (healthy.compareAndSet(!value, value)) {
            MEMBERSHIP_EPOCH.incrementAndGet();
            if (value) {
                queue.roomFreed();
            }
        }
    }

    /**
     * Enabled and healthy: in the pool's rotation. Unlike {@link #isEligible()} this ignores the
     * connection cap, which changes with every connection and must not reshape hash tables.
     */
    public boolean isInRotation() {
        return enabled.get() && healthy.get();
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
