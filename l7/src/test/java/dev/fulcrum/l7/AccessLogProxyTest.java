package dev.fulcrum.l7;

import static dev.fulcrum.l7.ProxyFixture.defaultRoute;
import static dev.fulcrum.l7.ProxyFixture.pathPrefix;
import static dev.fulcrum.l7.ProxyFixture.pool;
import static dev.fulcrum.l7.ProxyFixture.pools;
import static dev.fulcrum.l7.ProxyFixture.route;
import static dev.fulcrum.l7.RawHttpClient.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.config.AccessLogConfig;
import dev.fulcrum.config.ForwardingConfig;
import dev.fulcrum.l7.ProxyFixture.Setup;
import dev.fulcrum.lbcore.Transport;
import dev.fulcrum.lbcore.health.PassiveHealth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The access log through the real proxy path: one line per answered request, proxied or not. */
class AccessLogProxyTest {

    @TempDir
    Path dir;

    @Test
    void everyRequestIsOneJsonLineNamingWhoAnswered() throws Exception {
        LeakLog.reset();
        Path file = dir.resolve("access.log");
        try (TestBackend video = new TestBackend("video");
             ProxyFixture proxy = new ProxyFixture(new Setup(Transport.NIO, 1),
                     List.of(route("video", pathPrefix("/video"), "video")), pools(pool("video", video)),
                     PassiveHealth.NONE, ForwardingConfig.DEFAULTS,
                     Optional.of(new AccessLogConfig(AccessLogConfig.Format.JSON, Optional.of(file))));
             RawHttpClient client = proxy.client()) {
            assertThat(client.exchange(get("/video/one", "shop.example")).status()).isEqualTo(200);
            assertThat(client.exchange(get("/elsewhere", "shop.example")).status()).isEqualTo(404);

            await().atMost(Duration.ofSeconds(5))
                    .until(() -> Files.exists(file) && Files.readAllLines(file).size() == 2);
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines.get(0)).contains("\"method\":\"GET\"", "\"uri\":\"/video/one\"", "\"status\":200",
                "\"host\":\"shop.example\"", "\"listener\":\"web\"", "\"route\":\"video\"", "\"pool\":\"video\"",
                "\"server\":\"video\"", "\"client\":\"127.0.0.1\"", "\"bytes\":5");
        assertThat(lines.get(1)).contains("\"uri\":\"/elsewhere\"", "\"status\":404", "\"route\":\"none\"");
        LeakLog.assertNoLeaks();
    }
}
