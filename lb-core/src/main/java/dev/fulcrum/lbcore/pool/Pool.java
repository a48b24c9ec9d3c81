package dev.fulcrum.lbcore.pool;

import java.time.Duration;
import java.util.List;

/** A named, immutable set of servers and the balancer that chooses among them. */
public final class Pool {

    private final String name;
    private final List<Server> servers;
    private final Balancer balancer;
    private final ConnectionQueue queue;

    /** A pool whose connections never wait for a server: at the cap they are refused. */
    public Pool(String name, List<Server> servers, Balancer balancer) {
        this(name, servers, balancer, 0, Duration.ofSeconds(1));
    }

    /**
     * @param maxPending connections that may wait while every server is at its cap
     * @param queueTimeout longest such wait
     */
    public Pool(String name, List<Server> servers, Balancer balancer, int maxPending, Duration queueTimeout) {
        this.name = name;
        this.servers = List.copyOf(servers);
        this.balancer = balancer;
        this.queue = maxPending == 0 ? ConnectionQueue.NONE
                : new ConnectionQueue(maxPending, queueTimeout, this::hasRoom);
        this.servers.forEach(server -> server.joinQueue(queue));
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

    /** An eligible server for this client or request, or null when none is eligible. */
    public Server pick(BalancingContext context) {
        return balancer.pick(context);
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
