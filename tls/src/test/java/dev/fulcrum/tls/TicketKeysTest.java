package dev.fulcrum.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.config.CertificateConfig;
import dev.fulcrum.config.ListenerTls;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Session tickets resume with the current and the previous key, not with older ones. */
class TicketKeysTest {

    @TempDir
    Path dir;

    @BeforeEach
    void resetLeaks() {
        LeakReports.reset();
    }

    @AfterEach
    void checkLeaks() {
        LeakReports.assertNone();
    }

    private ServerTls build(Duration rotation) throws Exception {
        CertificateConfig site = TestPki.files(dir, "site", TestPki.leaf(TestPki.ca("Test CA"), "site", "site.test"));
        ListenerTls settings = new ListenerTls(ListenerTls.DEFAULT_PROTOCOLS, List.of(), Optional.empty(),
                ListenerTls.ClientAuth.NONE, ListenerTls.DEFAULT_CLIENT_CERT_HEADER, rotation);
        return ServerTls.build("web", List.of(site), settings, List.of(), new SimpleMeterRegistry());
    }

    private static OpenSslSessionStats stats(ServerTls tls) {
        return ((OpenSslSessionContext) tls.contexts().get(0).sessionContext()).stats();
    }

    @Test
    void aTicketResumesAcrossOneRotationButNotTwo() throws Exception {
        try (ServerTls tls = build(Duration.ofHours(1)); TlsServer server = new TlsServer(tls)) {
            JdkClient client = JdkClient.trustingAll();
            client.connect(server.port());
            assertThat(stats(tls).ticketKeyNew()).isPositive();
            assertThat(stats(tls).ticketKeyResume()).isZero();

            client.connect(server.port());
            assertThat(stats(tls).ticketKeyResume()).isEqualTo(1);

            // The key that encrypted the client's ticket is now the previous one: still accepted,
            // and counted as a renewal (the client gets a ticket under the current key).
            tls.rotateTicketKeys();
            client.connect(server.port());
            assertThat(stats(tls).ticketKeyRenew()).isEqualTo(1);
            assertThat(stats(tls).ticketKeyFail()).isZero();

            // A fresh client's ticket, two rotations later, is from a key that is gone.
            JdkClient late = JdkClient.trustingAll();
            late.connect(server.port());
            tls.rotateTicketKeys();
            tls.rotateTicketKeys();
            late.connect(server.port());
            assertThat(stats(tls).ticketKeyFail()).isEqualTo(1);
            assertThat(stats(tls).ticketKeyResume() + stats(tls).ticketKeyRenew()).isEqualTo(2);
        }
    }

    @Test
    void ticketsSurviveAReload() throws Exception {
        try (ServerTls tls = build(Duration.ofHours(1)); TlsServer server = new TlsServer(tls)) {
            JdkClient client = JdkClient.trustingAll();
            client.connect(server.port());
            tls.reload();
            client.connect(server.port());
            assertThat(stats(tls).ticketKeyResume()).isEqualTo(1);
        }
    }

    @Test
    void keysRotateOnScheduleUntilClosed() throws Exception {
        ServerTls tls = build(Duration.ofMillis(100));
        try (TlsServer server = new TlsServer(tls)) {
            JdkClient client = JdkClient.trustingAll();
            client.connect(server.port());
            long issued = tls.ticketKeyRotations();
            await().atMost(Duration.ofSeconds(5)).until(() -> tls.ticketKeyRotations() >= issued + 2);
            // Two rotations later the client's ticket key is gone: a full handshake.
            client.connect(server.port());
            assertThat(stats(tls).ticketKeyFail()).isEqualTo(1);
            assertThat(stats(tls).ticketKeyResume() + stats(tls).ticketKeyRenew()).isZero();
        } finally {
            tls.close();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("fulcrum-tls-tickets-web")));
    }
}
