package dev.fulcrum.l7;

import static dev.fulcrum.l7.ProxyFixture.defaultRoute;
import static dev.fulcrum.l7.ProxyFixture.poolAtPort;
import static dev.fulcrum.l7.ProxyFixture.pools;
import static dev.fulcrum.l7.RawHttpClient.get;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.l7.ProxyFixture.Setup;
import dev.fulcrum.l7.RawHttpClient.Response;
import dev.fulcrum.lbcore.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Messages whose framing is not in their headers alone: responses that never have a body
 * (HEAD, 204, 304), interim 100 Continue, and trailers. After each, the same client connection
 * must carry the next exchange cleanly: a body sent where none belongs would corrupt it.
 */
class HttpSemanticsTest {

    private static final String OK_2 = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    private ScriptedBackend backend;
    private ProxyFixture proxy;

    @BeforeEach
    void noLeaksYet() {
        LeakLog.reset();
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (backend != null) {
            backend.close();
        }
        LeakLog.assertNoLeaks();
    }

    private void start(ScriptedBackend.Script script) throws Exception {
        backend = new ScriptedBackend(script);
        proxy = new ProxyFixture(new Setup(Transport.NIO, 1), List.of(defaultRoute("s")),
                pools(poolAtPort("s", "scripted", backend.port())));
    }

    /** Answers the first request with {@code first}, every later one with 200 "ok". */
    private void answerFirstWith(String first) throws Exception {
        start(connection -> {
            boolean answered = false;
            while (connection.readHead() != null) {
                connection.write(answered ? OK_2 : first);
                answered = true;
            }
        });
    }

    @Test
    void noContentHasNoBodyAndTheConnectionCarriesOn() throws Exception {
        answerFirstWith("HTTP/1.1 204 No Content\r\nX-Why: nothing\r\n\r\n");

        try (RawHttpClient client = proxy.client()) {
            Response first = client.exchange(get("/a", "x"));
            assertThat(first.status()).isEqualTo(204);
            assertThat(first.headers()).doesNotContainKeys("content-length", "transfer-encoding");
            assertThat(client.exchange(get("/b", "x")).body()).isEqualTo("ok");
        }
    }

    @Test
    void notModifiedKeepsItsValidatorsAndSendsNoBody() throws Exception {
        answerFirstWith("HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nContent-Length: 1234\r\n\r\n");

        try (RawHttpClient client = proxy.client()) {
            client.send("GET /a HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"v1\"\r\n\r\n");
            Response first = client.readHead();
            assertThat(first.status()).isEqualTo(304);
            assertThat(first.headers().get("etag")).containsExactly("\"v1\"");
            assertThat(client.exchange(get("/b", "x")).body()).isEqualTo("ok");
        }
    }

    @Test
    void headGetsTheLengthOfTheBodyItDoesNotGet() throws Exception {
        answerFirstWith("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nContent-Type: text/plain\r\n\r\n");

        try (RawHttpClient client = proxy.client()) {
            client.send("HEAD /a HTTP/1.1\r\nHost: x\r\n\r\n");
            Response head = client.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.headers().get("content-length")).containsExactly("100");
            assertThat(client.exchange(get("/b", "x")).body()).isEqualTo("ok");
        }
    }

    @Test
    void trailersOfAChunkedResponseReachTheClient() throws Exception {
        answerFirstWith("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n"
                + "4\r\nwiki\r\n5\r\npedia\r\n0\r\nX-Checksum: abc123\r\n\r\n");

        try (Socket socket = new Socket(proxy.address().getAddress(), proxy.address().getPort())) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(get("/a", "x").getBytes(StandardCharsets.ISO_8859_1));
            String raw = readUntil(socket.getInputStream(), "\r\n0\r\n", "\r\n\r\n");

            assertThat(raw).startsWith("HTTP/1.1 200").contains("wiki").contains("pedia")
                    .endsWith("0\r\nX-Checksum: abc123\r\n\r\n");
        }
    }

    @Test
    void expectContinueIsRelayedSoTheClientSendsItsBodyOnlyWhenAsked() throws Exception {
        start(connection -> {
            String head = connection.readHead();
            if (head != null && head.toLowerCase().contains("expect: 100-continue")) {
                connection.write("HTTP/1.1 100 Continue\r\n\r\n");
                String body = connection.readBody(5);
                connection.write("HTTP/1.1 201 Created\r\nContent-Length: 5\r\n\r\n" + body);
            }
        });

        try (RawHttpClient client = proxy.client()) {
            client.send("PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            assertThat(client.readHead().status()).isEqualTo(100);
            Response done = client.exchange("hello");
            assertThat(done.status()).isEqualTo(201);
            assertThat(done.body()).isEqualTo("hello");
        }
    }

    /** Reads until {@code marker} has been seen and then {@code end} after it. */
    private static String readUntil(InputStream in, String marker, String end) throws IOException {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        int markerAt = -1;
        for (int i = 0; i < 64 * 1024; i++) {
            int b = in.read();
            if (b == -1) {
                break;
            }
            seen.write(b);
            String text = seen.toString(StandardCharsets.ISO_8859_1);
            if (markerAt < 0) {
                markerAt = text.indexOf(marker);
            }
            if (markerAt >= 0 && text.indexOf(end, markerAt + marker.length()) >= 0) {
                break;
            }
        }
        return seen.toString(StandardCharsets.ISO_8859_1);
    }
}
