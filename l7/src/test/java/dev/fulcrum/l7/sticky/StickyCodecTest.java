package dev.fulcrum.l7.sticky;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.lbcore.pool.Pool;
import dev.fulcrum.lbcore.pool.RoundRobinBalancer;
import dev.fulcrum.lbcore.pool.Server;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StickyCodecTest {

    @TempDir
    Path dir;

    private static Pool pool(String... names) {
        List<Server> servers = new java.util.ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            servers.add(new Server("app", names[i], i, new InetSocketAddress("127.0.0.1", 9001 + i), 100, 0));
        }
        return new Pool("app", servers, new RoundRobinBalancer(servers));
    }

    @Test
    void aPinIsValidOnAnotherNodeOrAfterAReloadWithTheSameKeyAndServerName() throws Exception {
        Path key = Files.writeString(dir.resolve("key"), "shared-key-of-the-pair-0123456789\n");
        Pool first = pool("s1", "s2");
        StickyCodec nodeA = new StickyCodec(first, StickyKey.load(Optional.of(key)));
        Pool reloaded = pool("s0", "s2", "s3");
        StickyCodec nodeB = new StickyCodec(reloaded, StickyKey.load(Optional.of(key)));
        String pin = nodeA.encode(first.server("s2"), 0, "");
        assertThat(nodeB.decode(pin, "", 1000).server()).isSameAs(reloaded.server("s2"));
        String gone = nodeA.encode(first.server("s1"), 0, "");
        assertThat(nodeB.decode(gone, "", 1000)).as("a removed or renamed server").isNull();
    }

    @Test
    void withoutAKeyFileTheProcessKeepsOneRandomKeySoReloadsKeepPins(@TempDir Path dir) throws Exception {
        Pool pool = pool("s1");
        StickyCodec one = new StickyCodec(pool, StickyKey.load(Optional.empty()));
        StickyCodec reloaded = new StickyCodec(pool("s1"), StickyKey.load(Optional.empty()));
        String pin = one.encode(pool.servers().get(0), 0, "");
        assertThat(reloaded.decode(pin, "", 1000)).isNotNull();
        Path key = dir.resolve("other.key");
        Files.writeString(key, "another key");
        StickyCodec other = new StickyCodec(pool, StickyKey.load(Optional.of(key)));
        assertThat(other.decode(pin, "", 1000)).as("another key refuses it").isNull();
    }

    @Test
    void expiryAndTheBoundValueAreAuthenticated() {
        Pool pool = pool("s1");
        StickyCodec codec = new StickyCodec(pool, StickyKey.load(Optional.empty()));
        String pin = codec.encode(pool.servers().get(0), 2000, "session-1");
        assertThat(codec.decode(pin, "session-1", 1999)).isNotNull();
        assertThat(codec.decode(pin, "session-1", 2001)).as("expired").isNull();
        assertThat(codec.decode(pin, "session-2", 1999)).as("moved to another session").isNull();
        assertThat(codec.decode(pin.replace(".2000.", ".9000."), "session-1", 1999)).as("extended").isNull();
        assertThat(pin).doesNotContain("127.0.0.1").doesNotContain("s1").doesNotContain("9001");
    }
}
