package dev.fulcrum.health;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class BodyMatcherTest {

    private static boolean feed(BodyMatcher matcher, String piece) {
        ByteBuf buf = Unpooled.copiedBuffer(piece, UTF_8);
        try {
            return matcher.feed(buf, buf.readerIndex(), buf.readableBytes());
        } finally {
            buf.release();
        }
    }

    private static BodyMatcher matcher(String needle) {
        return new BodyMatcher(needle.getBytes(UTF_8));
    }

    @Test
    void findsTheTextInOnePiece() {
        assertThat(feed(matcher("ok"), "{\"status\":\"ok\"}")).isTrue();
    }

    @Test
    void findsTheTextSplitOverPiecesAtEveryPoint() {
        String body = "status: degraded; status: healthy";
        for (int a = 0; a <= body.length(); a++) {
            for (int b = a; b <= body.length(); b++) {
                BodyMatcher matcher = matcher("status: healthy");
                feed(matcher, body.substring(0, a));
                feed(matcher, body.substring(a, b));
                assertThat(feed(matcher, body.substring(b))).as("split at %d and %d", a, b).isTrue();
            }
        }
    }

    @Test
    void backsOffCorrectlyOnAPartialMatch() {
        assertThat(feed(matcher("aab"), "aaab")).isTrue();
        assertThat(feed(matcher("abab"), "abaabab")).isTrue();
        BodyMatcher split = matcher("aab");
        assertThat(feed(split, "a")).isFalse();
        assertThat(feed(split, "a")).isFalse();
        assertThat(feed(split, "ab")).isTrue();
    }

    @Test
    void reportsAbsentTextAndStaysFoundOnceFound() {
        BodyMatcher matcher = matcher("ok");
        assertThat(feed(matcher, "o")).isFalse();
        assertThat(feed(matcher, "x, O K")).isFalse();
        assertThat(feed(matcher, "ok")).isTrue();
        assertThat(feed(matcher, "nothing")).isTrue();
        assertThat(matcher.found()).isTrue();
    }

    @Test
    void readsOnlyTheGivenRangeAndLeavesTheBufferAlone() {
        ByteBuf buf = Unpooled.copiedBuffer("xxokxx", UTF_8);
        try {
            assertThat(matcher("ok").feed(buf, 0, 3)).isFalse();
            assertThat(matcher("ok").feed(buf, 1, 3)).isTrue();
            assertThat(buf.readerIndex()).isZero();
        } finally {
            buf.release();
        }
    }

    @Test
    void matchesUtf8Text() {
        assertThat(feed(matcher("prêt ✓"), "état: prêt ✓")).isTrue();
    }
}
