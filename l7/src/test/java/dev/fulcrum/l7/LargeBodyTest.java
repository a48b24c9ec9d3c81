package dev.fulcrum.l7;

import static dev.fulcrum.l7.ProxyFixture.defaultRoute;
import static dev.fulcrum.l7.ProxyFixture.pool;
import static dev.fulcrum.l7.ProxyFixture.pools;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.l7.ProxyFixture.Setup;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** 64 MiB each way through the proxy, streamed: neither side holds a whole body. */
class LargeBodyTest {

    private static final long SIZE = 64L * 1024 * 1024;

    /** Generates SIZE deterministic bytes without holding them, checksumming what it hands out. */
    private static final class Generated extends InputStream {
        private final CRC32 crc = new CRC32();
        private long position;

        @Override
        public int read() {
            if (position == SIZE) {
                return -1;
            }
            int b = (int) ((position * 31 + (position >>> 12)) & 0xFF);
            position++;
            crc.update(b);
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (position == SIZE) {
                return -1;
            }
            int n = (int) Math.min(length, SIZE - position);
            for (int i = 0; i < n; i++) {
                buffer[offset + i] = (byte) ((position * 31 + (position >>> 12)) & 0xFF);
                position++;
            }
            crc.update(buffer, offset, n);
            return n;
        }
    }

    private static long[] drain(InputStream in) throws Exception {
        CRC32 crc = new CRC32();
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) != -1) {
            crc.update(buffer, 0, n);
            total += n;
        }
        return new long[] {total, crc.getValue()};
    }

    /** @return bytes echoed, CRC sent, CRC received */
    private static long[] echo(ProxyFixture proxy) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(proxy.address(), 5_000);
            socket.setSoTimeout(30_000);
            Generated body = new Generated();
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = socket.getOutputStream();
                    out.write(("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + SIZE + "\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    body.transferTo(out);
                    out.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
            String line;
            boolean chunked = false;
            assertThat(readLine(in)).startsWith("HTTP/1.1 200");
            while (!(line = readLine(in)).isEmpty()) {
                chunked |= line.equalsIgnoreCase("transfer-encoding: chunked");
            }
            assertThat(chunked).isTrue();
            CRC32 crc = new CRC32();
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            int size;
            while ((size = Integer.parseInt(readLine(in).split(";")[0].trim(), 16)) > 0) {
                int left = size;
                while (left > 0) {
                    int n = in.read(buffer, 0, Math.min(left, buffer.length));
                    if (n < 0) {
                        throw new EOFException("echo cut short");
                    }
                    crc.update(buffer, 0, n);
                    left -= n;
                }
                total += size;
                readLine(in);
            }
            readLine(in);
            sent.get(30, TimeUnit.SECONDS);
            return new long[] {total, body.crc.getValue(), crc.getValue()};
        }
    }

    private static String readLine(DataInputStream in) throws IOException {
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

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void echoes64MiBAndDownloads64MiB(Setup setup) throws Exception {
        LeakLog.reset();
        try (TestBackend backend = new TestBackend("big");
             ProxyFixture proxy = new ProxyFixture(setup, List.of(defaultRoute("web")), pools(pool("web", backend)))) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            String base = "http://127.0.0.1:" + proxy.address().getPort();

            // Upload: the JDK client sends chunked; the backend answers once it has counted every byte.
            Generated upload = new Generated();
            long start = System.nanoTime();
            HttpResponse<String> uploaded = client.send(
                    HttpRequest.newBuilder(URI.create(base + "/upload"))
                            .timeout(Duration.ofSeconds(60))
                            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> upload)).build(),
                    HttpResponse.BodyHandlers.ofString());
            long uploadNanos = System.nanoTime() - start;
            assertThat(uploaded.statusCode()).isEqualTo(200);
            assertThat(uploaded.body()).isEqualTo("big");
            assertThat(backend.bytesReceived.get()).isEqualTo(SIZE);

            // Echo: both directions at once, which needs a client that reads while it writes.
            start = System.nanoTime();
            long[] echo = echo(proxy);
            long echoNanos = System.nanoTime() - start;
            assertThat(echo[0]).isEqualTo(SIZE);
            assertThat(echo[1]).isEqualTo(echo[2]);

            start = System.nanoTime();
            HttpResponse<InputStream> download = client.send(
                    HttpRequest.newBuilder(URI.create(base + "/download?size=" + SIZE))
                            .timeout(Duration.ofSeconds(60)).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(download.statusCode()).isEqualTo(200);
            assertThat(download.headers().firstValueAsLong("content-length")).hasValue(SIZE);
            long[] downloaded;
            try (InputStream body = download.body()) {
                downloaded = drain(body);
            }
            long downloadNanos = System.nanoTime() - start;
            assertThat(downloaded[0]).isEqualTo(SIZE);

            System.out.printf("%s: 64 MiB upload %.0f ms, echo (both ways at once) %.0f ms, download %.0f ms%n",
                    setup, uploadNanos / 1e6, echoNanos / 1e6, downloadNanos / 1e6);
        }
        LeakLog.assertNoLeaks();
    }
}
