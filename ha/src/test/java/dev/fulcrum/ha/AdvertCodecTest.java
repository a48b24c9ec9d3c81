package dev.fulcrum.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AdvertCodecTest {

    private static final byte[] SECRET = "the pair's shared secret".getBytes(StandardCharsets.UTF_8);
    private static final long NOW = 1_800_000_000_000L;

    private final AdvertCodec sender = new AdvertCodec(SECRET, "lb-a", 2_000);
    private final AdvertCodec receiver = new AdvertCodec(SECRET, "lb-b", 2_000);

    @Test
    void anAdvertRoundTrips() {
        Advert advert = new Advert("lb-a", 200, HaState.MASTER, 42, NOW);
        assertThat(receiver.decode(sender.encode(advert), NOW + 50).advert()).isEqualTo(advert);
    }

    @Test
    void forgedTamperedReplayedStaleOwnAndMalformedAdvertsAreRefusedWithTheirReason() {
        byte[] good = sender.encode(new Advert("lb-a", 200, HaState.MASTER, 7, NOW));
        byte[] tampered = good.clone();
        tampered[6] = (byte) 255;
        AdvertCodec forger = new AdvertCodec("a guessed secret".getBytes(StandardCharsets.UTF_8), "lb-a", 2_000);
        assertThat(receiver.decode(tampered, NOW).rejection()).isEqualTo(AdvertCodec.Rejection.BAD_SIGNATURE);
        assertThat(receiver.decode(forger.encode(new Advert("lb-a", 255, HaState.MASTER, 8, NOW)), NOW).rejection())
                .isEqualTo(AdvertCodec.Rejection.BAD_SIGNATURE);
        assertThat(receiver.decode(new byte[10], NOW).rejection()).isEqualTo(AdvertCodec.Rejection.MALFORMED);
        assertThat(receiver.decode(good, NOW + 10_000).rejection()).isEqualTo(AdvertCodec.Rejection.STALE);
        assertThat(receiver.decode(good, NOW).advert()).isNotNull();
        assertThat(receiver.decode(good, NOW).rejection()).isEqualTo(AdvertCodec.Rejection.REPLAYED);
        assertThat(receiver.decode(sender.encode(new Advert("lb-a", 200, HaState.MASTER, 6, NOW)), NOW).rejection())
                .as("an older sequence").isEqualTo(AdvertCodec.Rejection.REPLAYED);
        assertThat(receiver.decode(receiver.encode(new Advert("lb-b", 100, HaState.BACKUP, 1, NOW)), NOW).rejection())
                .isEqualTo(AdvertCodec.Rejection.OWN);
    }
}
