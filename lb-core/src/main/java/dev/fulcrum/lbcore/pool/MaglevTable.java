package dev.fulcrum.lbcore.pool;

import java.math.BigInteger;

/**
 * An immutable Maglev lookup table (Eisenbud et al., "Maglev: A Fast and Reliable Software
 * Network Load Balancer", NSDI 2016, section 3.4) over the servers in rotation.
 *
 * <p>Each server has its own permutation of the table's slots, given by an offset and a skip
 * derived from its name (so a server keeps its permutation across reloads and address
 * changes). The servers take turns claiming the next free slot of their permutation until the
 * table is full. Weights are honoured by the turns: in round {@code r} a server of weight
 * {@code w} takes a turn when {@code r * w} has reached its next threshold, the threshold
 * growing by the largest weight each turn, so the heaviest server claims a slot every round and
 * one of a third its weight every third round (as Envoy's weighted Maglev does). Because each
 * server's preferences do not depend on the others, removing a server hands mostly its own
 * slots to the others, which is what bounds disruption.
 *
 * <p>A lookup is one array read. Building is O(size x servers) at worst, done when the set of
 * servers in rotation changes, never per request.
 */
final class MaglevTable {

    /** A prime well above 100 x the servers of any realistic pool, as the paper advises. */
    static final int DEFAULT_SIZE = 65_537;

    /** Slots looked at past the key's own when its server is at its cap or just left. */
    static final int MAX_PROBES = 64;

    private static final long OFFSET_SEED = 0x6d61676c65764f66L;
    private static final long SKIP_SEED = 0x6d61676c6576536bL;

    private final Server[] slots;
    /** Which servers (by position in the pool) were in rotation when the table was built. */
    private final boolean[] members;
    private final long epoch;

    private MaglevTable(Server[] slots, boolean[] members, long epoch) {
        this.slots = slots;
        this.members = members;
        this.epoch = epoch;
    }

    /**
     * @param size a prime, so that every skip generates a full permutation
     * @param epoch {@link Server#membershipEpoch()} read before the servers' flags
     */
    static MaglevTable build(Server[] servers, int size, long epoch) {
        boolean[] members = new boolean[servers.length];
        int count = 0;
        int maxWeight = 0;
        for (int i = 0; i < servers.length; i++) {
            members[i] = servers[i].isInRotation();
            if (members[i]) {
                count++;
                maxWeight = Math.max(maxWeight, servers[i].weight());
            }
        }
        if (count == 0) {
            return new MaglevTable(new Server[0], members, epoch);
        }
        Server[] in = new Server[count];
        int[] position = new int[count];
        int[] skip = new int[count];
        long[] threshold = new long[count];
        for (int i = 0, k = 0; i < servers.length; i++) {
            if (members[i]) {
                in[k] = servers[i];
                position[k] = (int) Long.remainderUnsigned(Hashing.hash(servers[i].name(), OFFSET_SEED), size);
                skip[k] = (int) Long.remainderUnsigned(Hashing.hash(servers[i].name(), SKIP_SEED), size - 1) + 1;
                k++;
            }
        }
        Server[] slots = new Server[size];
        int filled = 0;
        for (long round = 1; filled < size; round++) {
            for (int k = 0; k < count && filled < size; k++) {
                if (round * in[k].weight() < threshold[k]) {
                    continue;
                }
                threshold[k] += maxWeight;
                int slot = position[k];
                while (slots[slot] != null) {
                    slot = next(slot, skip[k], size);
                }
                slots[slot] = in[k];
                position[k] = next(slot, skip[k], size);
                filled++;
            }
        }
        return new MaglevTable(slots, members, epoch);
    }

    private static int next(int slot, int skip, int size) {
        int n = slot + skip;
        return n >= size ? n - size : n;
    }

    static boolean isPrime(int n) {
        return n > 1 && BigInteger.valueOf(n).isProbablePrime(32);
    }

    long epoch() {
        return epoch;
    }

    /** The same table, known to be current as of a later epoch (the change was elsewhere). */
    MaglevTable restamped(long newEpoch) {
        return new MaglevTable(slots, members, newEpoch);
    }

    /** True when exactly the servers this table was built from are in rotation now. */
    boolean builtFrom(Server[] servers) {
        for (int i = 0; i < servers.length; i++) {
            if (members[i] != servers[i].isInRotation()) {
                return false;
            }
        }
        return true;
    }

    /** The server owning this key's slot, for tests: null when no server was in rotation. */
    Server owner(long hash) {
        return slots.length == 0 ? null : slots[slot(hash)];
    }

    /**
     * The owner of the key's slot if it is eligible, else the first eligible owner of the
     * following slots (neighbouring slots belong to unrelated servers, so a capped server's keys
     * spread over the others by weight); null when none of those is eligible.
     */
    Server lookup(long hash) {
        int size = slots.length;
        if (size == 0) {
            return null;
        }
        int slot = slot(hash);
        for (int probe = 0; probe < MAX_PROBES; probe++) {
            Server server = slots[slot];
            if (server.isEligible()) {
                return server;
            }
            if (++slot == size) {
                slot = 0;
            }
        }
        return null;
    }

    private int slot(long hash) {
        return (int) ((hash >>> 1) % slots.length);
    }

    int size() {
        return slots.length;
    }
}
