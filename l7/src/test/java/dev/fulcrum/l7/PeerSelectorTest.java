package dev.fulcrum.l7;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.config.UpstreamConfig;
import dev.fulcrum.l7.sticky.StickyChoice;
import dev.fulcrum.lbcore.Transport;
import dev.fulcrum.lbcore.pool.Pool;
import dev.fulcrum.lbcore.pool.RoundRobinBalancer;
import dev.fulcrum.lbcore.pool.Server;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpDecoderConfig;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * When every server is at its cap, a request may still go over a connection already idle on
 * its loop; a retry must not be sent back that way to the server that just failed.
 */
class PeerSelectorTest {

    private final List<EmbeddedChannel> channels = new ArrayList<>(List.of(new EmbeddedChannel()));
    /** The embedded channels' loop stands in for an event loop: the pool only needs one to belong to. */
    private final EventLoop loop = channels.get(0).eventLoop();

    @AfterEach
    void close() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    private static List<Server> servers(int count) {
        List<Server> servers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            servers.add(new Server("app", "s" + i, i, new InetSocketAddress("127.0.0.1", 9000 + i), 100, 1));
        }
        return servers;
    }

    /** An idle pooled connection to that server, counted against its cap of one. */
    private UpstreamConnection idleTo(Server server, UpstreamPool upstreams) {
        assertThat(server.tryAcquireConnection()).isTrue();
        UpstreamConnection connection = new UpstreamConnection(server, UpstreamConfig.DEFAULTS, upstreams,
                new UpstreamResponseDecoder(new HttpDecoderConfig()));
        EmbeddedChannel channel = new EmbeddedChannel(connection);
        channels.add(channel);
        upstreams.release(connection, true);
        return connection;
    }

    @Test
    void theIdleConnectionOfAFullServerIsNeverTheOneARetryAvoids() {
        List<Server> servers = servers(3);
        Pool pool = new Pool("app", servers, new RoundRobinBalancer(servers));
        UpstreamPool upstreams = new UpstreamPool(loop, Transport.NIO);
        UpstreamConnection toFailed = idleTo(servers.get(0), upstreams);
        UpstreamConnection toOther = idleTo(servers.get(2), upstreams);
        idleTo(servers.get(1), upstreams);
        servers.get(1).beginRequest();

        assertThat(PeerSelector.select(pool, null, null, null)).as("every server is at its cap").isNull();
        UpstreamConnection chosen = PeerSelector.idleOfFullServer(pool, upstreams, null, servers.get(0));
        // Not s0 (the one to avoid), and of the others the one with fewer requests in flight.
        assertThat(chosen).isSameAs(toOther);
        assertThat(upstreams.idleCount(servers.get(0))).isEqualTo(1);
        assertThat(toFailed.isLeased()).isFalse();
    }

    @Test
    void thePinnedServerComesFirstAndOnlyTheAvoidedOneIsLeftAlone() {
        List<Server> servers = servers(2);
        Pool pool = new Pool("app", servers, new RoundRobinBalancer(servers));
        UpstreamPool upstreams = new UpstreamPool(loop, Transport.NIO);
        idleTo(servers.get(0), upstreams);
        UpstreamConnection toPinned = idleTo(servers.get(1), upstreams);
        StickyChoice pinned = new StickyChoice(servers.get(1), StickyChoice.Result.HIT, false);

        assertThat(PeerSelector.idleOfFullServer(pool, upstreams, pinned, null)).isSameAs(toPinned);
        assertThat(PeerSelector.idleOfFullServer(pool, upstreams, null, servers.get(0))).isNull();
    }
}
