package dev.fulcrum.lbcore.pool;

import java.util.ArrayDeque;
import java.util.List;

/**
 * Weighted random: a server is chosen with probability weight / total weight of the eligible
 * servers.
 *
 * <p>Picks use Vose's alias method, prepared once: one column per server, each column holding
 * the total weight split between its own server and at most one alias. A pick draws a column
 * and a point in it: O(1) whatever the pool size, with no binary search whose branches a CPU
 * cannot predict on random input.
 *
 * <p>When the draw lands on an ineligible server it is simply drawn again (rejection sampling
 * keeps the shares exact); after a few misses, as when most servers are down, one exact pass
 * over the eligible servers' weights decides.
 */
public final class WeightedRandomBalancer implements Balancer {

    /** Draws before the exact pass: with half the weight ineligible, 4 misses happen 1 time in 16. */
    static final int DRAWS = 4;

    private final Server[] servers;
    /** Column i yields server i for a point below threshold[i] (out of totalWeight), else alias[i]. */
    private final int[] threshold;
    private final int[] alias;
    private final int totalWeight;
    private final RandomSource random;

    public WeightedRandomBalancer(List<Server> servers) {
        this(servers, RandomSource.threadLocal());
    }

    public WeightedRandomBalancer(List<Server> servers, RandomSource random) {
        this.servers = servers.toArray(new Server[0]);
        this.random = random;
        int count = this.servers.length;
        long total = 0;
        for (Server server : this.servers) {
            total += server.weight();
        }
        if (total * Math.max(count, 1) > Long.MAX_VALUE / 2 || total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("total weight of " + count + " servers is too large");
        }
        this.totalWeight = (int) total;
        this.threshold = new int[count];
        this.alias = new int[count];
        buildAliasTable();
    }

    /** Vose's method in integers: a column's capacity is the total weight, a server's mass weight x count. */
    private void buildAliasTable() {
        int count = servers.length;
        long[] mass = new long[count];
        ArrayDeque<Integer> small = new ArrayDeque<>();
        ArrayDeque<Integer> large = new ArrayDeque<>();
        for (int i = 0; i < count; i++) {
            mass[i] = (long) servers[i].weight() * count;
            alias[i] = i;
            (mass[i] < totalWeight ? small : large).push(i);
        }
        while (!small.isEmpty() && !large.isEmpty()) {
            int s = small.pop();
            int l = large.pop();
            threshold[s] = (int) mass[s];
            alias[s] = l;
            mass[l] -= totalWeight - mass[s];
            (mass[l] < totalWeight ? small : large).push(l);
        }
        // What is left is full (exactly, in integers): the column is all its own server.
        for (int i : large) {
            threshold[i] = totalWeight;
        }
        for (int i : small) {
            threshold[i] = totalWeight;
        }
    }

    @Override
    public Server pick(BalancingContext context) {
        int count = servers.length;
        if (count == 0) {
            return null;
        }
        for (int draw = 0; draw < DRAWS; draw++) {
            int column = random.nextInt(count);
            Server candidate = servers[random.nextInt(totalWeight) < threshold[column] ? column : alias[column]];
            if (candidate.isEligible() && candidate.admitsWhileWarming()) {
                return candidate;
            }
        }
        return exactPick();
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

    /** The probability of each server when all are eligible, from the table: for tests. */
    double[] shares() {
        double[] shares = new double[servers.length];
        for (int i = 0; i < servers.length; i++) {
            shares[i] += threshold[i] / (double) totalWeight / servers.length;
            shares[alias[i]] += (totalWeight - threshold[i]) / (double) totalWeight / servers.length;
        }
        return shares;
    }
}
