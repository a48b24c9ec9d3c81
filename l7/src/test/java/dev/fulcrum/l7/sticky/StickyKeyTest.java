package dev.fulcrum.l7.sticky;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.internal.InternalThreadLocalMap;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StickyKeyTest {

    @TempDir
    Path dir;

    private static byte[] expected(String key, String text) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void loadingTheKeyOnEveryReloadTakesNoNewThreadLocal() throws Exception {
        Path file = Files.writeString(dir.resolve("key"), "the pair's key\n");
        StickyKey.load(Optional.of(file)).sign("warm up");
        int before = InternalThreadLocalMap.lastVariableIndex();
        for (int reload = 0; reload < 200; reload++) {
            assertThat(StickyKey.load(Optional.of(file)).sign("pin")).isEqualTo(expected("the pair's key", "pin"));
        }
        // A thread-local per key would have taken 200 indexes, never given back.
        assertThat(InternalThreadLocalMap.lastVariableIndex() - before).isLessThan(10);
    }

    @Test
    void keysUsedInTurnOnOneThreadEachSignWithTheirOwn() throws Exception {
        StickyKey[] keys = new StickyKey[7];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = StickyKey.load(Optional.of(Files.writeString(dir.resolve("key" + i), "key " + i)));
        }
        // More keys than a thread keeps Macs for, and some twice as objects of the same text.
        StickyKey again = StickyKey.load(Optional.of(dir.resolve("key3")));
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < keys.length; i++) {
                assertThat(keys[i].sign("text " + round)).as("key %d", i).isEqualTo(expected("key " + i, "text " + round));
                assertThat(again.sign("x")).isEqualTo(expected("key 3", "x"));
            }
        }
    }
}
