package dev.fulcrum.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class FailuresTest {

    @Test
    void namesCommonFailuresInAFewWords() {
        assertThat(Failures.describe(new ConnectException("finishConnect(..) failed: Connection refused: /127.0.0.1:1")))
                .isEqualTo("connection refused");
        assertThat(Failures.describe(new ConnectTimeoutException("connection timed out after 1000 ms")))
                .isEqualTo("connect timed out");
        assertThat(Failures.describe(new ClosedChannelException())).isEqualTo("connection closed");
        assertThat(Failures.describe(new IOException("Connection reset by peer"))).isEqualTo("connection reset");
    }

    @Test
    void looksInsideCodecExceptions() {
        assertThat(Failures.describe(new DecoderException(new SSLHandshakeException("Received fatal alert: bad"))))
                .isEqualTo("Received fatal alert: bad");
        assertThat(Failures.describe(new NotSslRecordException("not an SSL/TLS record: 485454502f312e31")))
                .isEqualTo("the server does not speak TLS");
    }

    @Test
    void keepsOtherMessagesOnOneShortLine() {
        String described = Failures.describe(new IllegalStateException("line one\nline two " + "x".repeat(500)));
        assertThat(described).startsWith("IllegalStateException: line one line two").doesNotContain("\n");
        assertThat(described.length()).isLessThan(260);
        assertThat(Failures.describe(new IllegalStateException())).isEqualTo("IllegalStateException");
    }
}
