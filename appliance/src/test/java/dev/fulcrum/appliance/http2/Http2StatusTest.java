package dev.fulcrum.appliance.http2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status the page shows (from {@code /api/v1/status}): per http/https listener whether it
 * takes HTTP/2, its open connections, and the connections it accepted by protocol.
 */
class Http2StatusTest {

    private static final HttpClient ADMIN = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

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
    void eachHttpListenerShowsHttp2OnOrOffAndItsConnectionsByProtocol() throws Exception {
        assertThat(curl.run("--http2-prior-knowledge", site.origin(Http2Site.HTTP) + "/").httpVersion()).isEqualTo("2");
        assertThat(curl.run("--http1.1", "-k", site.origin(Http2Site.HTTPS) + "/").httpVersion()).isEqualTo("1.1");
        // A listener without HTTP/2 knows the protocol on accept: an idle connection counts at once.
        try (Socket idle = new Socket(InetAddress.getLoopbackAddress(), site.port(Http2Site.HTTP_NO_H2))) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(listener(Http2Site.HTTP_NO_H2))
                    .contains("\"http2\":false,\"connections_open\":1,\"connections\":{\"h2\":0,\"http/1.1\":1}"));
        }

        assertThat(listener(Http2Site.HTTP)).contains("\"protocol\":\"http\"")
                .contains("\"http2\":true,").contains("\"connections\":{\"h2\":1,\"http/1.1\":0}");
        assertThat(listener(Http2Site.HTTPS)).contains("\"protocol\":\"https\"")
                .contains("\"http2\":true,").contains("\"connections\":{\"h2\":0,\"http/1.1\":1}");
        assertThat(listener(Http2Site.HTTPS_NO_H2)).contains("\"http2\":false,");
    }

    /** The JSON object of one listener in {@code /api/v1/status}. */
    private String listener(String name) throws Exception {
        HttpResponse<String> response = ADMIN.send(HttpRequest.newBuilder(URI.create(site.admin() + "/api/v1/status"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        Matcher entry = Pattern.compile("\\{\"name\":\"" + Pattern.quote(name) + "\",[^\\[]*").matcher(response.body());
        assertThat(entry.find()).as("listener " + name + " in " + response.body()).isTrue();
        return entry.group();
    }
}
