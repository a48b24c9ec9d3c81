package dev.fulcrum.lbcore.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Weighted round robin: an immutable schedule plus one atomic counter, so picking is lock-free.
 *
 * <p>The schedule is the sequence nginx's smooth weighted round robin produces for the static
 * weights (weights 5,1,1 give a,a,b,a,c,a,a rather than a,a,a,a,a,b,c), computed once at build
 * time. Weights are first divided by their greatest common divisor; a schedule that would
 * still exceed {@value #MAX_SCHEDULE} slots is built from proportionally scaled-down weights.
 *
 * <p>An ineligible server's slot passes to the next eligible server in the schedule, and so does
 * a share of a warming server's slots (slow start). When the
 * schedule yields none within one pass over the servers, a linear scan decides, so the result
 * is null only when no server is eligible at all.
 */
public final class RoundRobinBalancer implements Balancer {

    static final int MAX_SCHEDULE = 1 << 16;

    private final List<Server> servers;
    private final Server[] schedule;
    private final AtomicInteger next = new AtomicInteger();

    public RoundRobinBalancer(List<Server> servers) {
        this.servers = List.copyOf(servers);
        this.schedule = smoothSchedule(this.servers);
    }

    @Override
    public Server pick(BalancingContext context) {
        int count = servers.size();
        if (count == 0) {
            return null;
        }
        int start = next.getAndIncrement() & Integer.MAX_VALUE;
        int length = schedule.length;
        int tries = Math.min(count, length);
        for (int i = 0; i < tries; i++) {
            Server candidate = schedule[(int) ((start + (long) i) % length)];
            if (candidate.isEligible() && candidate.admitsWhileWarming()) {
                return candidate;
            }
        }
        for (int i = 0; i < count; i++) {
            Server candidate = servers.get((int) ((start + (long) i) % count));
            if (candidate.isEligible()) {
                return candidate;
            }
        }
        return null;
    }

    /** The servers in the order they are handed out, one slot per unit of (reduced) weight. */
    List<Server> schedule() {
        return List.of(schedule);
    }

    static Server[] smoothSchedule(List<Server> servers) {
        int count = servers.size();
        if (count == 0) {
            return new Server[0];
        }
        long[] weights = reducedWeights(servers);
        long total = 0;
        for (long weight : weights) {
            total += weight;
        }
        long[] current = new long[count];
        List<Server> order = new ArrayList<>((int) total);
        for (long slot = 0; slot < total; slot++) {
            int best = 0;
            for (int i = 0; i < count; i++) {
                current[i] += weights[i];
                if (current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            order.add(servers.get(best));
        }
        return order.toArray(new Server[0]);
    }

    private static long[] reducedWeights(List<Server> servers) {
        long gcd = 0;
        long total = 0;
        for (Server server : servers) {
            gcd = gcd(gcd, server.weight());
            total += server.weight();
        }
        long[] weights = new long[servers.size()];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = servers.get(i).weight() / gcd;
        }
        long reducedTotal = total / gcd;
        if (reducedTotal > MAX_SCHEDULE) {
            for (int i = 0; i < weights.length; i++) {
                weights[i] = Math.max(1, weights[i] * MAX_SCHEDULE / reducedTotal);
            }
        }
        return weights;
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
