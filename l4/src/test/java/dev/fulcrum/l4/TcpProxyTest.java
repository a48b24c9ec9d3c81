package dev.fulcrum.l4;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.lbcore.Transport;
import dev.fulcrum.lbcore.health.PassiveHealth;
import dev.fulcrum.lbcore.metrics.MetricNames;
import dev.fulcrum.lbcore.pool.Server;
import dev.fulcrum.testing.LeakReports;
import io.netty.channel.Channel;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TcpProxyTest {

    private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();

    @BeforeEach
    void resetLeaks() {
        LeakReports.reset();
    }

    @AfterEach
    void closeAndCheckLeaks() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        LeakReports.assertNone();
    }

    private <T extends AutoCloseable> T closing(T resource) {
        resources.add(resource);
        return resource;
    }

    private L4Fixture proxyTo(PassiveHealth health, int... ports) throws Exception {
        return closing(new L4Fixture(L4Fixture.config(listenerSettings(), "", ports), health, transport()));
    }

    /** The best available transport (epoll here); a subclass runs the same tests on NIO. */
    Transport transport() {
        return Transport.select();
    }

    /** Extra listener keys; a subclass turns splice off to test the buffer relay on epoll. */
    String listenerSettings() {
        return "";
    }

    /** Splice where the transport has it, unless turned off. */
    boolean expectsSplice() {
        return transport() == Transport.EPOLL;
    }

    @Test
    void leastConnCountsEachRelayedConnectionAsARequestInFlight() throws Exception {
        SocketBackend one = closing(SocketBackend.echo());
        SocketBackend two = closing(SocketBackend.echo());
        String yaml = L4Fixture.config(listenerSettings(), "", one.port(), two.port())
                .replace("balance: round_robin", "balance: least_conn");
        L4Fixture proxy = closing(new L4Fixture(yaml, PassiveHealth.NONE, transport()));
        List<Server> servers = proxy.pool().servers();
        try (Socket first = proxy.connect()) {
            first.getOutputStream().write('a');
            assertThat(first.getInputStream().read()).isEqualTo('a');
            Server busy = servers.stream().filter(s -> s.requestsInFlight() == 1).findFirst().orElseThrow();
            Server idle = servers.get(1 - busy.index());
            assertThat(idle.requestsInFlight()).isZero();
            // While the first is relayed, every new connection goes to the other server.
            for (int i = 0; i < 3; i++) {
                try (Socket next = proxy.connect()) {
                    next.getOutputStream().write('b');
                    assertThat(next.getInputStream().read()).isEqualTo('b');
                    assertThat(idle.requestsInFlight()).isEqualTo(1);
                    assertThat(busy.requestsInFlight()).isEqualTo(1);
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> idle.requestsInFlight() == 0);
            }
            assertThat((busy == servers.get(0) ? one : two).accepted()).isEqualTo(1);
        }
        proxy.awaitNothingOpen();
    }

    @Test
    void relaysWithSpliceOnEpollAndThroughBuffersOtherwise() throws Exception {
        SocketBackend echo = closing(SocketBackend.echo());
        L4Fixture proxy = proxyTo(PassiveHealth.NONE, echo.port());
        try (Socket client = proxy.connect()) {
            client.getOutputStream().write('a');
            assertThat(client.getInputStream().read()).isEqualTo('a');
            Channel open = proxy.onlyConnection();
            assertThat(open.pipeline().get(SpliceRelay.class) != null).isEqualTo(expectsSplice());
            assertThat(open.pipeline().get(RelayHandler.class) != null).isEqualTo(!expectsSplice());
        }
        proxy.awaitNothingOpen();
    }

    @Test
    void aHalfClosedConnectionDoesNotKeepItsEventLoopBusy() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        SocketBackend backend = closing(new SocketBackend(socket -> {
            socket.getInputStream().readAllBytes();
            // Holds the half-closed connection open until the test has watched it.
            release.await(10, TimeUnit.SECONDS);
            socket.getOutputStream().write("bye".getBytes(US_ASCII));
        }));
        L4Fixture proxy = proxyTo(PassiveHealth.NONE, backend.port());
        try (Socket client = proxy.connect()) {
            client.getOutputStream().write(new byte[300_000]);
            client.shutdownOutput();
            ReadMeter reads = (ReadMeter) proxy.onlyConnection().config().getRecvByteBufAllocator();
            await().atMost(Duration.ofSeconds(10)).until(() -> backend.accepted() == 1);
            long before = reads.rounds();
            // An ended input is always readable: a relay that kept asking would count thousands of rounds.
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3))
                    .until(() -> reads.rounds() - before < 20);
            release.countDown();
            assertThat(new String(client.getInputStream().readAllBytes(), US_ASCII)).isEqualTo("bye");
        }
        proxy.awaitNothingOpen();
        assertThat(backend.failures()).isEmpty();
    }

    @Test
    void relaysBothWays() throws Exception {
        SocketBackend echo = closing(SocketBackend.echo());
        L4Fixture proxy = proxyTo(PassiveHealth.NONE, echo.port());
        try (Socket client = proxy.connect()) {
            client.getOutputStream().write("ping".getBytes(US_ASCII));
            client.shutdownOutput();
            assertThat(new String(client.getInputStream().readAllBytes(), US_ASCII)).isEqualTo("ping");
        }
        proxy.awaitNothingOpen();
        await().until(() -> echo.open() == 0);
        assertThat(echo.failures()).isEmpty();
    }

    @Test
    void clientHalfCloseStillReceivesTheServersRemainingData() throws Exception {
        byte[] tail = new byte[1 << 20];
        new Random(1).nextBytes(tail);
        SocketBackend backend = closing(new SocketBackend(socket -> {
            // Answers only after the client's FIN arrived through the proxy.
            byte[] request = socket.getInputStream().readAllBytes();
            OutputStream out = socket.getOutputStream();
            out.write(("got " + new String(request, US_ASCII) + "\n").getBytes(US_ASCII));
            out.write(tail);
            socket.shutdownOutput();
        }));
        L4Fixture proxy = proxyTo(PassiveHealth.NONE, backend.port());
        try (Socket client = proxy.connect()) {
            client.getOutputStream().write("question".getBytes(US_ASCII));
            client.shutdownOutput();
            byte[] answer = client.getInputStream().readAllBytes();
            byte[] header = "got question\n".getBytes(US_ASCII);
            assertThat(answer).hasSize(header.length + tail.length);
            assertThat(crc(answer, header.length, tail.length)).isEqualTo(crc(tail, 0, tail.length));
        }
        proxy.awaitNothingOpen();
        assertThat(backend.failures()).isEmpty();
    }

    @Test
    void serverHalfCloseLetsTheClientKeepSending() throws Exception {
        CompletableFuture<String> received = new CompletableFuture<>();
        SocketBackend backend = closing(new SocketBackend(socket -> {
            socket.getOutputStream().write("banner\n".getBytes(US_ASCII));
            socket.shutdownOutput();
            received.complete(new String(socket.getInputStream().readAllBytes(), US_ASCII));
        }));
        L4Fixture proxy = proxyTo(PassiveHealth.NONE, backend.port());
        try (Socket client = proxy.connect()) {
            InputStream in = client.getInputStream();
            assertThat(new String(in.readAllBytes(), US_ASCII)).isEqualTo("banner\n");
            // The server's FIN reached the client; the client's direction is still open.
            client.getOutputStream().write("after the server finished".getBytes(US_ASCII));
            client.shutdownOutput();
            assertThat(received.get(10, TimeUnit.SECONDS)).isEqualTo("after the server finished");
        }
        proxy.awaitNothingOpen();
        assertThat(backend.failures()).isEmpty();
    }

    @Test
    void largeTransferBothWaysKeepsItsChecksum() throws Exception {
        int size = 32 << 20;
        SocketBackend echo = closing(SocketBackend.echo());
        L4Fixture proxy = proxyTo(PassiveHealth.NONE, echo.port());
        try (Socket client = proxy.connect()) {
            CompletableFuture<Long> sent = CompletableFuture.supplyAsync(() -> {
                try {
                    CRC32 crc = new CRC32();
                    Random random = new Random(42);
                    byte[] chunk = new byte[256 * 1024];
                    OutputStream out = client.getOutputStream();
                    for (int written = 0; written < size; written += chunk.length) {
                        random.nextBytes(chunk);
                        crc.update(chunk);
                        out.write(chunk);
                    }
                    client.shutdownOutput();
                    return crc.getValue();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            CRC32 echoed = new CRC32();
            long total = 0;
            byte[] buffer = new byte[64 * 1024];
            InputStream in = client.getInputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                echoed.update(buffer, 0, n);
                total += n;
            }
            assertThat(total).isEqualTo(size);
            assertThat(echoed.getValue()).isEqualTo(sent.get(30, TimeUnit.SECONDS));
        }
        proxy.awaitNothingOpen();
        assertThat(proxy.registry.get(MetricNames.TCP_BYTES).tag("direction", MetricNames.TO_SERVER)
                .counter().count()).isEqualTo(size);
        assertThat(proxy.registry.get(MetricNames.TCP_BYTES).tag("direction", MetricNames.TO_CLIENT)
                .counter().count()).isEqualTo(size);
    }

    @Test
    void aDeadServerIsSkippedForTheNext() throws Exception {
        int deadPort;
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = gone.getLocalPort();
        }
        SocketBackend echo = closing(SocketBackend.echo());
        List<Server> failed = new CopyOnWriteArrayList<>();
        L4Fixture proxy = proxyTo(new RecordingHealth(failed), deadPort, echo.port());
        for (int i = 0; i < 4; i++) {
            try (Socket client = proxy.connect()) {
                client.getOutputStream().write(("hello " + i).getBytes(US_ASCII));
                client.shutdownOutput();
                assertThat(new String(client.getInputStream().readAllBytes(), US_ASCII)).isEqualTo("hello " + i);
            }
        }
        assertThat(failed).isNotEmpty().allMatch(server -> server.name().equals("s1"));
        assertThat(echo.accepted()).isEqualTo(4);
        assertThat(proxy.registry.get(MetricNames.TCP_CONNECT_FAILURES).tag("server", "s1").counter().count())
                .isEqualTo(failed.size());
        proxy.awaitNothingOpen();
    }

    @Test
    void noReachableServerClosesTheClient() throws Exception {
        int deadPort;
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = gone.getLocalPort();
        }
        L4Fixture proxy = proxyTo(PassiveHealth.NONE, deadPort);
        try (Socket client = proxy.connect()) {
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
        proxy.awaitNothingOpen();
    }

    @Test
    void aClientResetClosesTheBackend() throws Exception {
        CompletableFuture<Void> backendSawEnd = new CompletableFuture<>();
        SocketBackend backend = closing(new SocketBackend(socket -> {
            socket.getOutputStream().write('x');
            try {
                socket.getInputStream().readAllBytes();
            } finally {
                backendSawEnd.complete(null);
            }
        }));
        L4Fixture proxy = proxyTo(PassiveHealth.NONE, backend.port());
        Socket client = proxy.connect();
        assertThat(client.getInputStream().read()).isEqualTo('x');
        client.setSoLinger(true, 0);
        client.close();
        backendSawEnd.get(10, TimeUnit.SECONDS);
        proxy.awaitNothingOpen();
    }

    @Test
    void aServerResetReachesTheClientAsAReset() throws Exception {
        SocketBackend backend = closing(new SocketBackend(socket -> {
            socket.getOutputStream().write('x');
            socket.getInputStream().read();
            socket.setSoLinger(true, 0);
        }));
        L4Fixture proxy = proxyTo(PassiveHealth.NONE, backend.port());
        try (Socket client = proxy.connect()) {
            assertThat(client.getInputStream().read()).isEqualTo('x');
            client.getOutputStream().write('y');
            assertThatThrownBy(() -> {
                // The reset may land before or after a read is waiting; either way it is not a clean end.
                for (int i = 0; i < 100 && client.getInputStream().read() >= 0; i++) {
                    client.getOutputStream().write('z');
                }
            }).isInstanceOf(java.net.SocketException.class);
        }
        proxy.awaitNothingOpen();
    }

    @Test
    void aServerThatDoesNotAnswerTheConnectIsSkippedAfterTheConnectTimeout() throws Exception {
        // A listening socket whose accept queue is full drops further SYNs: the connect hangs.
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket filler1 = new Socket(); Socket filler2 = new Socket()) {
            filler1.connect(full.getLocalSocketAddress(), 2_000);
            filler2.connect(full.getLocalSocketAddress(), 2_000);
            SocketBackend echo = closing(SocketBackend.echo());
            String yaml = L4Fixture.config(listenerSettings(), "", full.getLocalPort(), echo.port())
                    .replace("connect_timeout: 1s", "connect_timeout: 300ms");
            L4Fixture proxy = closing(new L4Fixture(yaml, PassiveHealth.NONE, transport()));
            for (int i = 0; i < 2; i++) {
                try (Socket client = proxy.connect()) {
                    client.getOutputStream().write('a');
                    assertThat(client.getInputStream().read()).isEqualTo('a');
                }
            }
            // Round robin sends each client to s1 first (no health checks here to take it out).
            assertThat(proxy.registry.get(MetricNames.TCP_CONNECT_FAILURES).tag("server", "s1").counter().count())
                    .isEqualTo(2);
            proxy.awaitNothingOpen();
        }
    }

    @Test
    void manyConnectionsLeaveNothingOpen() throws Exception {
        SocketBackend echo = closing(SocketBackend.echo());
        L4Fixture proxy = proxyTo(PassiveHealth.NONE, echo.port(), echo.port());
        for (int i = 0; i < 50; i++) {
            try (Socket client = proxy.connect()) {
                client.getOutputStream().write('a');
                assertThat(client.getInputStream().read()).isEqualTo('a');
            }
        }
        proxy.awaitNothingOpen();
        await().atMost(Duration.ofSeconds(10)).until(() -> echo.open() == 0);
        assertThat(proxy.registry.get(MetricNames.TCP_CONNECTIONS).counter().count()).isEqualTo(50);
        assertThat(proxy.registry.get(MetricNames.TCP_CONNECTIONS_ACTIVE).gauge().value()).isZero();
    }

    @Test
    void aHalfClosedClientStillReceivesMoreThanTheSocketBuffersHold() throws Exception {
        int size = 16 << 20;
        SocketBackend backend = closing(new SocketBackend(socket -> {
            socket.getInputStream().readAllBytes();
            byte[] chunk = new byte[256 * 1024];
            OutputStream out = socket.getOutputStream();
            for (int written = 0; written < size; written += chunk.length) {
                out.write(chunk);
            }
            socket.shutdownOutput();
        }));
        L4Fixture proxy = proxyTo(PassiveHealth.NONE, backend.port());
        try (Socket client = proxy.connect()) {
            client.getOutputStream().write("send me a lot".getBytes(US_ASCII));
            client.shutdownOutput();
            // Fill the buffers before reading, so the proxy must wait until the client can take more.
            await().atMost(Duration.ofSeconds(10)).until(() -> client.getInputStream().available() > 0);
            long total = 0;
            byte[] buffer = new byte[64 * 1024];
            InputStream in = client.getInputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                total += n;
            }
            assertThat(total).isEqualTo(size);
        }
        proxy.awaitNothingOpen();
        assertThat(backend.failures()).isEmpty();
    }

    private static long crc(byte[] bytes, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, offset, length);
        return crc.getValue();
    }

    /** Remembers which servers real traffic found unreachable. */
    private record RecordingHealth(List<Server> failed) implements PassiveHealth {
        @Override
        public void onFailure(Server server, Throwable cause) {
            failed.add(server);
        }

        @Override
        public void onSuccess(Server server) {
        }
    }
}
