package dev.fulcrum.lbcore.pool;

import java.util.Arrays;
import java.util.List;

/**
 * Weighted random: a server is chosen with probability weight / total weight of the eligible
 * servers. The cumulative weights are computed once; a pick is one random draw and a binary
 * search.
 *
 * <p>When the draw lands on an ineligible server it is simply drawn again (rejection sampling
 * keeps the shares exact); after a few misses, as when most servers are down, one exact pass
 * over the eligible servers' weights decides.
 */
public final class WeightedRandomBalancer implements Balancer {

    /** Draws before the exact pass: with half the weight ineligible, 4 misses happen 1 time in 16. */
    static final int DRAWS = 4;

    private final Server[] servers;
    /** cumulative[i]: total weight of servers 0..i; server i owns draws in [cumulative[i-1], cumulative[i]). */
    private final int[] cumulative;
    private final RandomSource random;

    public WeightedRandomBalancer(List<Server> servers) {
        this(servers, RandomSource.threadLocal());
    }

    public WeightedRandomBalancer(List<Server> servers, RandomSource random) {
        this.servers = servers.toArray(new Server[0]);
        this.cumulative = new int[this.servers.length];
        this.random = random;
        long total = 0;
        for (int i = 0; i < this.servers.length; i++) {
            total += this.servers[i].weight();
            if (total > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("total weight of " + servers.size() + " servers is too large");
            }
            cumulative[i] = (int) total;
        }
    }

    @Override
    public Server pick(BalancingContext context) {
        int count = servers.length;
        if (count == 0) {
            return null;
        }
        int total = cumulative[count - 1];
        for (int draw = 0; draw < DRAWS; draw++) {
            Server candidate = servers[owner(random.nextInt(total))];
            if (candidate.isEligible()) {
                return candidate;
            }
        }
        return exactPick();
    }

    /** The index of the server owning draw {@code r}: the first whose cumulative weight exceeds it. */
    private int owner(int r) {
        int i = Arrays.binarySearch(cumulative, r);
        return i >= 0 ? i + 1 : -i - 1;
    }

    private Server exactPick() {
        long eligibleWeight = 0;
        for (Server server : servers) {
            if (server.isEligible()) {
                eligibleWeight += server.weight();
            }
        }
        if (eligibleWeight == 0) {
            return null;
        }
        int r = random.nextInt((int) eligibleWeight);
        Server last = null;
        for (Server server : servers) {
            if (server.isEligible()) {
                last = server;
                r -= server.weight();
                if (r < 0) {
                    return server;
                }
            }
        }
        // Some server left between the two passes: any eligible one will do.
        return last;
    }
}
