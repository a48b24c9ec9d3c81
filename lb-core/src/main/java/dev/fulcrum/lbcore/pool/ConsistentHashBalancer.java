package dev.fulcrum.lbcore.pool;

import dev.fulcrum.config.HashOn;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Consistent hashing through a {@link MaglevTable}: the same key goes to the same server while
 * the set of servers in rotation is unchanged, and when a server leaves, only (nearly only) the
 * keys that were on it move. The key is the client address, a request header or a cookie
 * ({@link HashOn}); a request without the header or cookie is hashed on its client address.
 *
 * <p>The table covers the servers in rotation (enabled and healthy). It is kept in an
 * {@link AtomicReference} stamped with {@link Server#membershipEpoch()}, so a pick compares one
 * number; when the epoch moved and the set really changed, one picking thread rebuilds the
 * table while the others keep using the old one (still checking eligibility per pick).
 *
 * <p>The connection cap is left out of the table on purpose: it changes with every connection
 * and would reshape the table constantly. A key whose server is at its cap goes to the owner
 * of the next slot instead, and comes back when the server has room again.
 */
public final class ConsistentHashBalancer implements Balancer {

    private final Server[] servers;
    private final HashKey key;
    private final int tableSize;
    private final AtomicReference<MaglevTable> table;
    private final AtomicBoolean rebuilding = new AtomicBoolean();

    /** Builds the first table here, so call off the event loops (as configuration loading is). */
    public ConsistentHashBalancer(List<Server> servers, HashOn hashOn) {
        this(servers, hashOn, MaglevTable.DEFAULT_SIZE);
    }

    ConsistentHashBalancer(List<Server> servers, HashOn hashOn, int tableSize) {
        if (!MaglevTable.isPrime(tableSize)) {
            throw new IllegalArgumentException("Maglev table size must be a prime, not " + tableSize);
        }
        this.servers = servers.toArray(new Server[0]);
        this.key = HashKey.of(hashOn);
        this.tableSize = tableSize;
        this.table = new AtomicReference<>(MaglevTable.build(this.servers, tableSize, Server.membershipEpoch()));
    }

    @Override
    public Server pick(BalancingContext context) {
        if (servers.length == 0) {
            return null;
        }
        long hash = key.hash(context);
        Server server = currentTable().lookup(hash);
        return server != null ? server : anyEligible(hash);
    }

    /**
     * Rarely needed: every probed slot was at its cap or out of rotation (a table about to be
     * rebuilt). Starting where the hash says keeps such clients spread.
     */
    private Server anyEligible(long hash) {
        int count = servers.length;
        int start = (int) ((hash >>> 1) % count);
        for (int i = 0; i < count; i++) {
            Server candidate = servers[(start + i) % count];
            if (candidate.isEligible()) {
                return candidate;
            }
        }
        return null;
    }

    MaglevTable currentTable() {
        MaglevTable current = table.get();
        long epoch = Server.membershipEpoch();
        return current.epoch() == epoch ? current : refresh(current, epoch);
    }

    private MaglevTable refresh(MaglevTable current, long epoch) {
        if (current.builtFrom(servers)) {
            // A server of another pool changed, or this one flapped back: same table, newer stamp.
            MaglevTable restamped = current.restamped(epoch);
            table.compareAndSet(current, restamped);
            return restamped;
        }
        if (!rebuilding.compareAndSet(false, true)) {
            return current;
        }
        try {
            MaglevTable rebuilt = MaglevTable.build(servers, tableSize, epoch);
            table.set(rebuilt);
            return rebuilt;
        } finally {
            rebuilding.set(false);
        }
    }
}
