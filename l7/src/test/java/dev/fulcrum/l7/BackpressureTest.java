package dev.fulcrum.l7;

import static dev.fulcrum.l7.ProxyFixture.defaultRoute;
import static dev.fulcrum.l7.ProxyFixture.pool;
import static dev.fulcrum.l7.ProxyFixture.pools;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.l7.ProxyFixture.Setup;
import dev.fulcrum.lbcore.Transport;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.channel.epoll.Epoll;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A client that stops reading a large download must stop the backend too, with the proxy
 * holding no more than a bounded amount in between: the proxy reads the backend only as fast
 * as the client takes the bytes.
 */
class BackpressureTest {

    private static final long SIZE = 128L * 1024 * 1024;
    /** Kernel socket buffers on loopback grow to a few MiB per side; the proxy adds little. */
    private static final long STALL_BOUND = SIZE / 4;
    private static final long PROXY_MEMORY_BOUND = 16L * 1024 * 1024;

    static Stream<Setup> setups() {
        return Epoll.isAvailable()
                ? Stream.of(new Setup(Transport.NIO, 1), new Setup(Transport.EPOLL, 2))
                : Stream.of(new Setup(Transport.NIO, 1));
    }

    @BeforeEach
    void noLeaksYet() {
        LeakLog.reset();
    }

    @AfterEach
    void noLeaks() {
        LeakLog.assertNoLeaks();
    }

    private static long usedDirectMemory() {
        return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric().usedDirectMemory();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void aClientThatStopsReadingStopsTheBackendAndTheProxyHoldsLittle(Setup setup) throws Exception {
        long memoryBefore = usedDirectMemory();
        try (TestBackend backend = new TestBackend("big");
             ProxyFixture proxy = new ProxyFixture(setup, List.of(defaultRoute("big")), pools(pool("big", backend)));
             Socket client = new Socket()) {
            client.setReceiveBufferSize(64 * 1024);
            client.connect(proxy.address(), 5_000);
            client.setSoTimeout(30_000);
            client.getOutputStream().write(("GET /download?size=" + SIZE + " HTTP/1.1\r\nHost: x\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));

            AtomicLong lastSeen = new AtomicLong(-1);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> {
                long now = backend.downloadBytesQueued.get();
                return now > 0 && now == lastSeen.getAndSet(now);
            });

            assertThat(backend.downloadBytesQueued.get()).as("bytes the backend got out while the client read nothing")
                    .isLessThan(STALL_BOUND);
            assertThat(usedDirectMemory() - memoryBefore).as("direct memory held meanwhile")
                    .isLessThan(PROXY_MEMORY_BOUND);

            long body = readBodyLength(client.getInputStream());
            assertThat(body).isEqualTo(SIZE);
        }
    }

    /** Reads a chunked response to its end and counts the body bytes. */
    private static long readBodyLength(InputStream raw) throws Exception {
        DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 64 * 1024));
        assertThat(line(in)).startsWith("HTTP/1.1 200");
        String header;
        long contentLength = -1;
        while (!(header = line(in)).isEmpty()) {
            if (header.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                contentLength = Long.parseLong(header.substring(15).trim());
            }
        }
        if (contentLength >= 0) {
            in.skipNBytes(contentLength);
            return contentLength;
        }
        long total = 0;
        int size;
        while ((size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) > 0) {
            in.skipNBytes(size);
            total += size;
            line(in);
        }
        line(in);
        return total;
    }

    private static String line(DataInputStream in) throws Exception {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new EOFException("connection closed");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }
}
