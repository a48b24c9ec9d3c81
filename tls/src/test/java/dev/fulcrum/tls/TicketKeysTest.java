package dev.fulcrum.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.config.CertificateConfig;
import dev.fulcrum.config.ListenerTls;
import dev.fulcrum.testing.LeakReports;
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

    @Test
    void nodesSharingTheKeyFileHoldTheSameKeysInTheSamePeriod() {
        byte[] secret = "a secret both nodes of the pair share, 32+".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        TicketKeys nodeA = new TicketKeys(secret, 3_600_000);
        TicketKeys nodeB = new TicketKeys(secret, 3_600_000);
        TicketKeys stranger = new TicketKeys("another secret, not shared with the pair"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8), 3_600_000);
        assertThat(nodeA.keys()).hasSize(2);
        for (int i = 0; i < 2; i++) {
            assertThat(nodeA.keys()[i].name()).isEqualTo(nodeB.keys()[i].name());
            assertThat(nodeA.keys()[i].hmacKey()).isEqualTo(nodeB.keys()[i].hmacKey());
            assertThat(nodeA.keys()[i].aesKey()).isEqualTo(nodeB.keys()[i].aesKey());
        }
        assertThat(nodeA.keys()[0].name()).isNotEqualTo(stranger.keys()[0].name());
        // The key of one period is the previous key of the next.
        assertThat(nodeA.derived(10).aesKey()).isEqualTo(nodeA.derived(10).aesKey());
        assertThat(nodeA.derived(10).aesKey()).isNotEqualTo(nodeA.derived(11).aesKey());
        assertThat(nodeA.millisToNextPeriod(3_600_000L * 5 + 1)).isEqualTo(3_599_999L);
    }
}
