package dev.fulcrum.appliance.http2;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 as curl speaks it through the appliance to an HTTP/1.1 backend: prior knowledge on
 * the http listener, ALPN on the https one, large bodies both ways, and the listeners with
 * {@code http2: false} keeping to HTTP/1.1.
 */
class CurlHttp2Test {

    private static final int MIB = 1024 * 1024;

    @TempDir
    static Path dir;
    private static Http2Site site;
    private Curl curl;

    @BeforeAll
    static void start() throws Exception {
        Curl.require();
        site = Http2Site.start(dir);
    }

    @AfterAll
    static void stop() {
        if (site != null) {
            site.close();
        }
    }

    @BeforeEach
    void curl(@TempDir Path work) {
        curl = new Curl(work);
    }

    @Test
    void priorKnowledgeOnTheHttpListenerSpeaksHttp2ToTheClientAndHttp11ToTheBackend() throws Exception {
        Curl.Result result = curl.run("--http2-prior-knowledge", site.origin(Http2Site.HTTP) + "/hello?x=1");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.httpVersion()).as(result.toString()).isEqualTo("2");
        assertThat(result.status()).isEqualTo(200);
        assertThat(result.text()).startsWith("app-1 GET /hello?x=1 received 0 bytes");
        HttpRequest seen = site.backend().lastRequest();
        assertThat(seen.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_1);
        assertThat(seen.headers().get(HttpHeaderNames.HOST)).as(":authority becomes Host")
                .isEqualTo("127.0.0.1:" + site.port(Http2Site.HTTP));
        assertThat(seen.headers().get(HttpHeaderNames.VIA)).as("the protocol the client spoke").isEqualTo("2 fulcrum");
    }

    @Test
    void alpnOnTheHttpsListenerChoosesHttp2() throws Exception {
        Curl.Result result = curl.run("--http2", "-k", site.origin(Http2Site.HTTPS) + "/hello");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.httpVersion()).as(result.toString()).isEqualTo("2");
        assertThat(result.status()).isEqualTo(200);
        assertThat(result.text()).startsWith("app-1 GET /hello received 0 bytes");
        assertThat(site.backend().lastRequest().headers().get("X-Forwarded-Proto")).isEqualTo("https");
    }

    /**
     * A stream for a host the connection's certificate does not cover is misdirected (421), as a
     * browser coalescing connections would need to learn; the host it connected for (SNI) is not.
     */
    @Test
    void aStreamForAHostTheCertificateDoesNotCoverIsMisdirected() throws Exception {
        Curl.Result elsewhere = curl.run("--http2", "-k", "-H", "Host: other.example", site.origin(Http2Site.HTTPS) + "/hello");
        assertThat(elsewhere.httpVersion()).as(elsewhere.toString()).isEqualTo("2");
        assertThat(elsewhere.status()).as(elsewhere.toString()).isEqualTo(421);

        Curl.Result covered = curl.run("--http2", "-k", "-H", "Host: localhost", site.origin(Http2Site.HTTPS) + "/hello");
        assertThat(covered.status()).as(covered.toString()).isEqualTo(200);
    }

    @Test
    void aOneMebibytePostArrivesWhole() throws Exception {
        byte[] body = new byte[MIB];
        new Random(42).nextBytes(body);
        Path file = Files.write(dir.resolve("upload.bin"), body);
        String expected = "app-1 POST /upload received " + MIB + " bytes sha256 " + CountingBackend.sha256(body);

        String upload = "@" + file;
        Curl.Result h2c = curl.run("--http2-prior-knowledge", "--data-binary", upload,
                site.origin(Http2Site.HTTP) + "/upload");
        Curl.Result tls = curl.run("--http2", "-k", "--data-binary", upload, site.origin(Http2Site.HTTPS) + "/upload");

        for (Curl.Result result : List.of(h2c, tls)) {
            assertThat(result.httpVersion()).as(result.toString()).isEqualTo("2");
            assertThat(result.status()).as(result.toString()).isEqualTo(200);
            assertThat(result.text().strip()).as(result.toString()).isEqualTo(expected);
        }
    }

    @Test
    void aResponseLargerThanEveryWindowArrivesWhole() throws Exception {
        int size = 8 * MIB;
        Curl.Result result = curl.run("--http2-prior-knowledge", site.origin(Http2Site.HTTP) + "/bytes/" + size);

        assertThat(result.httpVersion()).as(result.toString()).isEqualTo("2");
        assertThat(result.status()).isEqualTo(200);
        assertThat(result.body()).hasSize(size).isEqualTo(CountingBackend.pattern(size));
    }

    @Test
    void anUpgradeToH2cIsNotTakenUpTheRequestIsAnsweredOverHttp11() throws Exception {
        // curl --http2 on plain HTTP asks for "Upgrade: h2c": only prior knowledge gets HTTP/2 here.
        Curl.Result result = curl.run("--http2", site.origin(Http2Site.HTTP) + "/upgrade");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.httpVersion()).as(result.toString()).isEqualTo("1.1");
        assertThat(result.status()).isEqualTo(200);
        assertThat(site.backend().lastRequest().headers().contains(HttpHeaderNames.UPGRADE)).isFalse();
        assertThat(site.backend().lastRequest().headers().contains("HTTP2-Settings")).isFalse();
    }

    @Test
    void withHttp2FalseTlsFallsBackToHttp11() throws Exception {
        Curl.Result result = curl.run("--http2", "-k", site.origin(Http2Site.HTTPS_NO_H2) + "/hello");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.httpVersion()).as(result.toString()).isEqualTo("1.1");
        assertThat(result.status()).isEqualTo(200);
        assertThat(result.text()).startsWith("app-1 GET /hello received 0 bytes");
    }

    @Test
    void withHttp2FalsePriorKnowledgeFails() throws Exception {
        Curl.Result result = curl.run("--http2-prior-knowledge", site.origin(Http2Site.HTTP_NO_H2) + "/hello");

        assertThat(result.exitCode()).as(result.toString()).isNotZero();
        assertThat(result.httpVersion()).as(result.toString()).isNotEqualTo("2");
        // The same listener still serves HTTP/1.1.
        Curl.Result http1 = curl.run(site.origin(Http2Site.HTTP_NO_H2) + "/hello");
        assertThat(http1.httpVersion()).as(http1.toString()).isEqualTo("1.1");
        assertThat(http1.status()).isEqualTo(200);
    }
}
