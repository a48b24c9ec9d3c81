package dev.fulcrum.lbcore.pool;

import java.util.List;

/** A named, immutable set of servers and the balancer that chooses among them. */
public final class Pool {

    private final String name;
    private final List<Server> servers;
    private final Balancer balancer;

    public Pool(String name, List<Server> servers, Balancer balancer) {
        this.name = name;
        this.servers = List.copyOf(servers);
        this.balancer = balancer;
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
