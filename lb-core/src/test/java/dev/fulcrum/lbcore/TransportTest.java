package dev.fulcrum.lbcore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TransportTest {

    @Test
    void propertyForcesNio() {
        assertThat(Transport.select("nio")).isEqualTo(Transport.NIO);
        assertThat(Transport.NIO.serverChannelClass()).isEqualTo(NioServerSocketChannel.class);
        assertThat(Transport.NIO.socketChannelClass()).isEqualTo(NioSocketChannel.class);
    }

    @Test
    void defaultPrefersEpoll() {
        assertThat(Transport.select("")).isEqualTo(Epoll.isAvailable() ? Transport.EPOLL : Transport.NIO);
    }

    @Test
    void systemPropertyIsRead() {
        String before = System.getProperty(Transport.PROPERTY);
        System.setProperty(Transport.PROPERTY, "nio");
        try {
            assertThat(Transport.select()).isEqualTo(Transport.NIO);
        } finally {
            if (before == null) {
                System.clearProperty(Transport.PROPERTY);
            } else {
                System.setProperty(Transport.PROPERTY, before);
            }
        }
    }

    @Test
    void unknownTransportIsRefused() {
        assertThatThrownBy(() -> Transport.select("kqueue")).hasMessageContaining("nio or epoll");
    }

    @Test
    void eventLoopsNameTheirThreadsAndCloseGracefully() throws Exception {
        EventLoops loops = new EventLoops(2, Transport.NIO);
        List<String> names = new ArrayList<>();
        for (var loop : loops.loops()) {
            names.add(loop.submit(() -> Thread.currentThread().getName()).get(5, TimeUnit.SECONDS));
        }
        assertThat(names).containsExactlyInAnyOrder("fulcrum-io-0", "fulcrum-io-1");
        assertThat(loops.threads()).isEqualTo(2);
        assertThat(loops.shutdownGracefully().await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(loops.group().isTerminated()).isTrue();
    }
}
