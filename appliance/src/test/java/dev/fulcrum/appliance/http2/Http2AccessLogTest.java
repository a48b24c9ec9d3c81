package dev.fulcrum.appliance.http2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The access log tells HTTP/2 requests from HTTP/1.1 ones by the protocol the client spoke. */
class Http2AccessLogTest {

    @TempDir
    Path dir;
    private Http2Site site;
    private Curl curl;

    @BeforeEach
    void start() throws Exception {
        Curl.require();
        site = Http2Site.start(dir);
        curl = new Curl(dir);
    }

    @AfterEach
    void stop() {
        if (site != null) {
            site.close();
        }
    }

    @Test
    void theProtocolFieldIsHttp20ForH2cAndAlpnH2AndHttp11Otherwise() throws Exception {
        assertThat(curl.run("--http2-prior-knowledge", site.origin(Http2Site.HTTP) + "/logged/h2c").httpVersion())
                .isEqualTo("2");
        assertThat(curl.run("--http2", "-k", site.origin(Http2Site.HTTPS) + "/logged/alpn").httpVersion())
                .isEqualTo("2");
        assertThat(curl.run("--http2", "-k", site.origin(Http2Site.HTTPS_NO_H2) + "/logged/h1").httpVersion())
                .isEqualTo("1.1");

        // Lines are written off the event loops: wait for all three.
        await().atMost(Duration.ofSeconds(10)).until(() -> lines().size() >= 3);

        assertThat(line("/logged/h2c")).contains("\"protocol\":\"HTTP/2.0\"", "\"listener\":\"web\"",
                "\"status\":200", "\"host\":\"127.0.0.1:" + site.port(Http2Site.HTTP) + "\"");
        assertThat(line("/logged/alpn")).contains("\"protocol\":\"HTTP/2.0\"", "\"listener\":\"web-tls\"",
                "\"host\":\"localhost:" + site.port(Http2Site.HTTPS) + "\"");
        assertThat(line("/logged/h1")).contains("\"protocol\":\"HTTP/1.1\"", "\"listener\":\"web-tls-h1\"");
    }

    private List<String> lines() throws Exception {
        Path log = site.accessLog();
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    private String line(String uri) throws Exception {
        List<String> matching = lines().stream().filter(l -> l.contains("\"uri\":\"" + uri + "\"")).toList();
        assertThat(matching).as("access log lines for " + uri).hasSize(1);
        return matching.get(0);
    }
}
