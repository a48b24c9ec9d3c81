package dev.fulcrum.lbcore.pool;

import java.util.List;

/**
 * Weighted least requests by the power of two choices (Envoy's least-request; the balance is
 * still called {@code least_conn}): draw two distinct eligible servers at random and take the
 * one with fewer requests in flight per unit of weight.
 *
 * <p>Two random choices instead of a scan keep a pick O(1), and avoid the herd behaviour of
 * a strict minimum, where every event loop sends to the same momentarily idle server
 * (Mitzenmacher, "The Power of Two Choices in Randomized Load Balancing").
 *
 * <p>Load is {@code (inFlight + 1) / weight}, compared by cross-multiplying: the +1 counts the
 * request about to be sent, so an idle server of weight 300 beats an idle one of weight 100
 * and weights hold even at low load. Ties go to the first draw, which is itself random.
 *
 * <p>Requests in flight are {@link Server#requestsInFlight()}, not its open connections: an
 * HTTP server holding many idle pooled connections is not busy, and one answering a few slow
 * requests on few connections is. A tcp listener counts each relayed connection as a request.
 * The connection cap ({@code max_connections}) still applies to open connections, through
 * {@link Server#isEligible()}.
 */
public final class LeastConnBalancer implements Balancer {

    /** Random draws for one candidate before an exact pass over the eligible servers. */
    static final int DRAWS = 4;

    private final Server[] servers;
    private final RandomSource random;

    public LeastConnBalancer(List<Server> servers) {
        this(servers, RandomSource.threadLocal());
    }

    public LeastConnBalancer(List<Server> servers, RandomSource random) {
        this.servers = servers.toArray(new Server[0]);
        this.random = random;
    }

    @Override
    public Server pick(BalancingContext context) {
        int first = randomEligible(-1);
        if (first < 0) {
            return null;
        }
        int second = randomEligible(first);
        if (second < 0) {
            return servers[first];
        }
        Server a = servers[first];
        Server b = servers[second];
        // Requests per unit of weight, compared without dividing; a warming server counts less weight.
        double loadA = (a.requestsInFlight() + 1.0) * b.effectiveWeight();
        double loadB = (b.requestsInFlight() + 1.0) * a.effectiveWeight();
        return loadB < loadA ? b : a;
    }

    /**
     * A uniformly chosen eligible server other than {@code excluded}, by position; -1 when there
     * is none. Rejection sampling first, then one exact pass, which stays uniform.
     */
    private int randomEligible(int excluded) {
        int count = servers.length;
        if (count == 0 || (count == 1 && excluded == 0)) {
            return -1;
        }
        for (int draw = 0; draw < DRAWS; draw++) {
            int i = random.nextInt(count);
            if (i != excluded && servers[i].isEligible()) {
                return i;
            }
        }
        int eligible = 0;
        for (int i = 0; i < count; i++) {
            if (i != excluded && servers[i].isEligible()) {
                eligible++;
            }
        }
        if (eligible == 0) {
            return -1;
        }
        int r = random.nextInt(eligible);
        int last = -1;
        for (int i = 0; i < count; i++) {
            if (i != excluded && servers[i].isEligible()) {
                last = i;
                if (r-- == 0) {
                    return i;
                }
            }
        }
        // Some server left between the two passes: any eligible one will do.
        return last;
    }
}
