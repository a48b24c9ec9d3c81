package dev.fulcrum.lbcore.pool;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Where randomised balancers draw from. Production uses {@link #threadLocal()}; tests inject a
 * seeded generator so that distributions are reproducible.
 */
@FunctionalInterface
public interface RandomSource {

    /** @return a uniformly distributed value in {@code [0, bound)}; {@code bound > 0} */
    int nextInt(int bound);

    /** The calling thread's {@link ThreadLocalRandom}: no contention between event loops. */
    static RandomSource threadLocal() {
        // A lambda, not ThreadLocalRandom.current()::nextInt, which would bind one thread's generator.
        return bound -> ThreadLocalRandom.current().nextInt(bound);
    }
}
