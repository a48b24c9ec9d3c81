package dev.fulcrum.health;

import dev.fulcrum.lbcore.pool.Server;
import io.netty.channel.ChannelPipeline;
import io.netty.util.concurrent.Promise;

/**
 * One kind of health check: the handlers that, on a connection to the server, decide whether
 * it passes. {@link ProbeRunner} opens the connection, bounds the whole check by its timeout
 * and closes the connection once {@code result} is complete.
 */
interface Probe {

    /**
     * Adds the handlers of one check to the pipeline of a channel not yet connected. They
     * complete {@code result} with {@code trySuccess}: the first verdict wins (the timeout may
     * have come first); a failure the handlers do not settle is settled by the runner.
     */
    void prepare(ChannelPipeline pipeline, Server server, Promise<CheckResult> result);
}
