package dev.fulcrum.appliance.grpc;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.google.common.util.concurrent.ListenableFuture;
import dev.fulcrum.appliance.Appliance;
import dev.fulcrum.appliance.Metrics;
import dev.fulcrum.config.ConfigLoader;
import dev.fulcrum.lbcore.pool.Server;
import dev.fulcrum.tls.SelfSigned;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A real grpc-java client and a real grpc-java server with the appliance between them: h2c on
 * an http listener and TLS (ALPN h2) on an https listener, to a pool with {@code protocol: http2}
 * (h2c to the server). Every call has a deadline; every wait is bounded.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class GrpcThroughFulcrumTest {

    /** How the client reaches the appliance. */
    enum Transport {
        /** HTTP/2 with prior knowledge on the http listener. */
        H2C("web"),
        /** HTTP/2 by ALPN on the https listener. */
        TLS("web-tls");

        final String listener;

        Transport(String listener) {
            this.listener = listener;
        }
    }

    private static final String TOKEN = "grpc-test-admin-token";
    private static final String POOL = "grpc";
    private static final String SERVER = "g1";
    private static final int FOUR_MIB = 4 * 1024 * 1024;
    private static final Metadata.Key<String> CLIENT_HEADER = Metadata.Key.of("x-client-header",
            Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<byte[]> CLIENT_BIN = Metadata.Key.of("x-client-bin",
            Metadata.BINARY_BYTE_MARSHALLER);
    private static final Metadata.Key<String> TEST_POOL = Metadata.Key.of("x-test-pool",
            Metadata.ASCII_STRING_MARSHALLER);
    /**
     * For bidi calls that talk in turns the grpc route must stream request bodies at once: with the
     * default {@code buffer_request} (64 KiB) a call's first small messages are held until 64 KiB
     * or the end of the client's stream arrive (see the disabled test below).
     */
    private static final String STREAMING = ", buffer_request: 0";
    private static final HttpClient ADMIN = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private SimpleGrpcServer server;
    private Metrics metrics;
    private Appliance appliance;
    private Path file;
    private SelfSigned.Written certificate;
    private final List<ManagedChannel> channels = new ArrayList<>();
    /** Keys added to the grpc route. */
    private String routeExtra = "";

    @BeforeEach
    void setUp() throws Exception {
        certificate = SelfSigned.write("localhost", dir.resolve("certs"));
        Files.writeString(dir.resolve("admin.token"), TOKEN + "\n");
        server = new SimpleGrpcServer();
        metrics = new Metrics();
        file = dir.resolve("fulcrum.yaml");
    }

    @AfterEach
    void tearDown() throws Exception {
        boolean terminated = true;
        try {
            for (ManagedChannel channel : channels) {
                channel.shutdownNow();
            }
            for (ManagedChannel channel : channels) {
                terminated &= channel.awaitTermination(5, SECONDS);
            }
        } finally {
            if (appliance != null) {
                appliance.close();
            }
            server.close();
            metrics.close();
        }
        assertThat(terminated).as("client channels terminated").isTrue();
    }

    // ---------------------------------------------------------------- 1. the four kinds of call

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void unaryCalls(Transport transport) throws Exception {
        start("");
        ManagedChannel channel = channel(transport);
        for (String message : List.of("first", "second", "third")) {
            assertThat(blocking(channel).unaryRpc(request(message)).getResponseMessage())
                    .isEqualTo("echo:" + message);
        }
        assertThat(server.calls()).extracting(SimpleGrpcServer.Seen::method)
                .containsExactly("grpc.testing.SimpleService/UnaryRpc", "grpc.testing.SimpleService/UnaryRpc",
                        "grpc.testing.SimpleService/UnaryRpc");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void clientStreaming(Transport transport) throws Exception {
        start("");
        CompletableFuture<String> result = new CompletableFuture<>();
        StreamObserver<SimpleRequest> requests = async(channel(transport)).clientStreamingRpc(single(result));
        for (String message : List.of("one", "two", "three", "four", "five")) {
            requests.onNext(request(message));
        }
        requests.onCompleted();
        assertThat(result.get(15, SECONDS)).isEqualTo("one,two,three,four,five");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void serverStreaming(Transport transport) throws Exception {
        start("");
        Iterator<SimpleResponse> responses = blocking(channel(transport)).serverStreamingRpc(request("count:10"));
        List<String> received = new ArrayList<>();
        for (int i = 0; i < 20 && responses.hasNext(); i++) {
            received.add(responses.next().getResponseMessage());
        }
        assertThat(received).containsExactly("item-0", "item-1", "item-2", "item-3", "item-4", "item-5", "item-6",
                "item-7", "item-8", "item-9");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void bidiStreamingInTurnsAndPipelined(Transport transport) throws Exception {
        start("", STREAMING);
        Collector replies = new Collector();
        StreamObserver<SimpleRequest> requests = async(channel(transport)).bidiStreamingRpc(replies);
        for (int i = 0; i < 5; i++) {
            requests.onNext(request("ping-" + i));
            assertThat(replies.next()).as("each message answered before the next is sent").isEqualTo("echo:ping-" + i);
        }
        for (int i = 5; i < 10; i++) {
            requests.onNext(request("ping-" + i));
        }
        for (int i = 5; i < 10; i++) {
            assertThat(replies.next()).isEqualTo("echo:ping-" + i);
        }
        requests.onCompleted();
        replies.done.get(15, SECONDS);
        assertThat(replies.messages).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.bidiCompleted.get() == 1);
        assertThat(server.bidiErrors).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void bidiStreamingWithTheDefaultBufferRequest(Transport transport) throws Exception {
        start("", "");
        Collector replies = new Collector();
        StreamObserver<SimpleRequest> requests = async(channel(transport)).bidiStreamingRpc(replies);
        requests.onNext(request("ping"));
        assertThat(replies.next(5)).as("the first message answered while the call stays open").isEqualTo("echo:ping");
        requests.onCompleted();
        replies.done.get(15, SECONDS);
    }

    // ---------------------------------------------------------------- 2. large messages

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void fourMebibyteMessagesBothWays(Transport transport) throws Exception {
        start("");
        ManagedChannel channel = channel(transport);
        String big = letters(FOUR_MIB, 1);
        String answer = blocking(channel).withDeadlineAfter(30, SECONDS).unaryRpc(request(big)).getResponseMessage();
        assertThat(answer.length()).isEqualTo(FOUR_MIB + "echo:".length());
        assertThat(answer.equals("echo:" + big)).as("4 MiB echoed intact").isTrue();

        Collector replies = new Collector();
        StreamObserver<SimpleRequest> requests = async(channel).withDeadlineAfter(60, SECONDS).bidiStreamingRpc(replies);
        List<String> sent = List.of(letters(FOUR_MIB, 2), letters(FOUR_MIB, 3), letters(FOUR_MIB, 4));
        for (String message : sent) {
            requests.onNext(request(message));
        }
        requests.onCompleted();
        for (String message : sent) {
            String reply = replies.next(30);
            assertThat(reply.length()).isEqualTo(FOUR_MIB + "echo:".length());
            assertThat(reply.equals("echo:" + message)).as("streamed 4 MiB message intact and in order").isTrue();
        }
        replies.done.get(30, SECONDS);
    }

    // ---------------------------------------------------------------- 3. metadata

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void requestHeadersResponseHeadersAndTrailersPassThrough(Transport transport) throws Exception {
        start("");
        ManagedChannel channel = channel(transport);
        Metadata extra = new Metadata();
        extra.put(CLIENT_HEADER, "hello");
        byte[] bytes = {(byte) 0xff, 0, 7, (byte) 0x80};
        extra.put(CLIENT_BIN, bytes);

        AtomicReference<Metadata> headers = new AtomicReference<>();
        AtomicReference<Metadata> trailers = new AtomicReference<>();
        SimpleServiceGrpc.SimpleServiceBlockingStub stub = SimpleServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(extra),
                        MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
                .withDeadlineAfter(15, SECONDS);
        assertThat(stub.unaryRpc(request("meta")).getResponseMessage()).isEqualTo("echo:meta");

        SimpleGrpcServer.Seen seen = server.last("UnaryRpc");
        assertThat(seen.headers().get(CLIENT_HEADER)).isEqualTo("hello");
        assertThat(seen.headers().get(CLIENT_BIN)).containsExactly(bytes);
        assertThat(seen.authority()).as("the client's authority, unchanged")
                .isEqualTo(transport == Transport.TLS ? "localhost"
                        : "127.0.0.1:" + appliance.listenerAddress(transport.listener).getPort());
        assertThat(headers.get().get(SimpleGrpcServer.SERVER_HEADER)).isEqualTo("from-server");
        assertThat(trailers.get().get(SimpleGrpcServer.SERVER_TRAILER)).isEqualTo("trailer-value");
        assertThat(trailers.get().get(SimpleGrpcServer.SERVER_TRAILER_BIN)).containsExactly(
                SimpleGrpcServer.TRAILER_BYTES);

        // Trailers after several DATA frames of a stream, not only after one message.
        headers.set(null);
        trailers.set(null);
        Iterator<SimpleResponse> streamed = stub.withDeadlineAfter(15, SECONDS)
                .serverStreamingRpc(request("count:3"));
        int count = 0;
        for (int i = 0; i < 10 && streamed.hasNext(); i++) {
            streamed.next();
            count++;
        }
        assertThat(count).isEqualTo(3);
        assertThat(server.last("ServerStreamingRpc").headers().get(CLIENT_HEADER)).isEqualTo("hello");
        assertThat(headers.get().get(SimpleGrpcServer.SERVER_HEADER)).isEqualTo("from-server");
        assertThat(trailers.get().get(SimpleGrpcServer.SERVER_TRAILER)).isEqualTo("trailer-value");
        assertThat(trailers.get().get(SimpleGrpcServer.SERVER_TRAILER_BIN)).containsExactly(
                SimpleGrpcServer.TRAILER_BYTES);
    }

    // ---------------------------------------------------------------- 4. an error status

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void anErrorStatusReachesTheClientWithItsDescription(Transport transport) throws Exception {
        start("");
        StatusRuntimeException error = catchThrowableOfType(StatusRuntimeException.class,
                () -> blocking(channel(transport)).unaryRpc(request("error")));
        assertThat(error).as("the call failed").isNotNull();
        assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(error.getStatus().getDescription()).isEqualTo("bad thing");
        assertThat(error.getTrailers()).isNotNull();
        assertThat(error.getTrailers().get(SimpleGrpcServer.SERVER_TRAILER))
                .as("the trailers of a trailers-only response").isEqualTo("trailer-value");
    }

    // ---------------------------------------------------------------- 5. a deadline

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void aDeadlineEndsTheCallOnBothSidesAndIsNotHeldAgainstTheServer(Transport transport) throws Exception {
        start("");
        ManagedChannel channel = channel(transport);
        StatusRuntimeException error = catchThrowableOfType(StatusRuntimeException.class,
                () -> SimpleServiceGrpc.newBlockingStub(channel).withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                        .unaryRpc(request("slow")));
        assertThat(error).as("the call failed").isNotNull();
        assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(server.slowCancelled.await(5, SECONDS)).as("the server saw its call cancelled").isTrue();
        assertThat(server.slowDeadline.get()).as("grpc-timeout reached the server").isNotNull();

        assertThat(blocking(channel).unaryRpc(request("after")).getResponseMessage()).isEqualTo("echo:after");
        Server g1 = appliance.pools().get(POOL).server(SERVER);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> !g1.isEjected());
        String state = serverEntry(pools(), SERVER);
        assertThat(state).contains("\"state\":\"up\"").contains("\"ejected\":false");
    }

    // ---------------------------------------------------------------- 6. a client cancel

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void aClientCancelReachesTheServer(Transport transport) throws Exception {
        start("");
        ManagedChannel channel = channel(transport);
        AtomicReference<ClientCallStreamObserver<SimpleRequest>> call = new AtomicReference<>();
        BlockingQueue<String> ticks = new LinkedBlockingQueue<>();
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        // A long deadline: the server's own deadline must not be what cancels it.
        async(channel).withDeadlineAfter(60, SECONDS).serverStreamingRpc(request("forever"),
                new ClientResponseObserver<SimpleRequest, SimpleResponse>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<SimpleRequest> requestStream) {
                        call.set(requestStream);
                    }

                    @Override
                    public void onNext(SimpleResponse value) {
                        ticks.add(value.getResponseMessage());
                    }

                    @Override
                    public void onError(Throwable t) {
                        ended.complete(t);
                    }

                    @Override
                    public void onCompleted() {
                        ended.complete(null);
                    }
                });
        for (int i = 0; i < 3; i++) {
            assertThat(ticks.poll(15, SECONDS)).isEqualTo("tick-" + i);
        }
        call.get().cancel("the client gave up", null);
        assertThat(server.streamCancelled.await(10, SECONDS)).as("the server's cancel handler ran").isTrue();
        Throwable end = ended.get(10, SECONDS);
        assertThat(end).isInstanceOf(StatusRuntimeException.class);
        assertThat(((StatusRuntimeException) end).getStatus().getCode()).isEqualTo(Status.Code.CANCELLED);

        assertThat(blocking(channel).unaryRpc(request("after")).getResponseMessage()).isEqualTo("echo:after");
        Server g1 = appliance.pools().get(POOL).server(SERVER);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> !g1.isEjected());
    }

    // ---------------------------------------------------------------- 7. concurrency

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void fiftyConcurrentCallsOnOneChannel(Transport transport) throws Exception {
        start("");
        ManagedChannel channel = channel(transport);
        SimpleServiceGrpc.SimpleServiceFutureStub stub = SimpleServiceGrpc.newFutureStub(channel)
                .withDeadlineAfter(30, SECONDS);
        List<ListenableFuture<SimpleResponse>> calls = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            calls.add(stub.unaryRpc(request("call-" + i)));
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        for (int i = 0; i < 50; i++) {
            long left = Math.max(1, until - System.nanoTime());
            assertThat(calls.get(i).get(left, TimeUnit.NANOSECONDS).getResponseMessage()).isEqualTo("echo:call-" + i);
        }
        assertThat(server.calls()).hasSize(50);
    }

    // ---------------------------------------------------------------- 8. no server

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void noServerUpGivesUnavailable(Transport transport) throws Exception {
        start("");
        ManagedChannel channel = channel(transport);
        assertThat(blocking(channel).unaryRpc(request("warm")).getResponseMessage()).isEqualTo("echo:warm");
        server.stop();
        for (int i = 0; i < 3; i++) {
            StatusRuntimeException error = catchThrowableOfType(StatusRuntimeException.class,
                    () -> blocking(channel).unaryRpc(request("nobody")));
            assertThat(error).as("call %d failed", i).isNotNull();
            assertThat(error.getStatus().getCode()).as(String.valueOf(error.getStatus()))
                    .isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(error.getStatus().getDescription()).as("says whose fault it was")
                    .containsAnyOf("upstream connect failed", "no server available in pool grpc");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void noServerUpIsATrailersOnlyGrpcResponse(Transport transport) throws Exception {
        start("");
        ManagedChannel channel = channel(transport);
        server.stop();
        StatusRuntimeException error = catchThrowableOfType(StatusRuntimeException.class,
                () -> blocking(channel).unaryRpc(request("nobody")));
        assertThat(error).as("the call failed").isNotNull();
        assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(error.getStatus().getDescription()).as("grpc-message, not an HTTP status grpc-java mapped")
                .doesNotStartWith("HTTP status code").contains("no server available in pool grpc");
    }

    // ---------------------------------------------------------------- 9. a pool without HTTP/2

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void aPoolWithoutHttp2GivesUnavailableSayingSo(Transport transport) throws Exception {
        start("");
        Metadata legacy = new Metadata();
        legacy.put(TEST_POOL, "legacy");
        StatusRuntimeException error = catchThrowableOfType(StatusRuntimeException.class,
                () -> blocking(channel(transport)).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(legacy))
                        .unaryRpc(request("to http1")));
        assertThat(error).as("the call failed").isNotNull();
        assertThat(error.getStatus().getCode()).as(String.valueOf(error.getStatus()))
                .isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(error.getStatus().getDescription()).as(String.valueOf(error.getStatus())).contains("HTTP/2");
    }

    // ---------------------------------------------------------------- 10. a reload

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void aBidiStreamSurvivesAReload(Transport transport) throws Exception {
        start("", STREAMING);
        ManagedChannel channel = channel(transport);
        Collector replies = new Collector();
        StreamObserver<SimpleRequest> requests = async(channel).withDeadlineAfter(60, SECONDS).bidiStreamingRpc(replies);
        requests.onNext(request("before"));
        assertThat(replies.next()).isEqualTo("echo:before");

        Files.writeString(file, config("", true));
        HttpResponse<String> reload = admin(HttpRequest.newBuilder(URI.create(adminUrl("/api/v1/reload")))
                .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);
        assertThat(appliance.config().pools().get(POOL).upstream().connectTimeout()).as("the new snapshot runs")
                .isEqualTo(Duration.ofSeconds(3));

        for (int i = 0; i < 3; i++) {
            requests.onNext(request("after-" + i));
            assertThat(replies.next()).isEqualTo("echo:after-" + i);
        }
        requests.onCompleted();
        replies.done.get(15, SECONDS);
        assertThat(replies.messages).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.bidiCompleted.get() == 1);
        assertThat(server.bidiErrors).isEmpty();
        assertThat(blocking(channel).unaryRpc(request("new")).getResponseMessage()).isEqualTo("echo:new");
    }

    // ---------------------------------------------------------------- grpc health checks

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void grpcHealthChecksFollowTheServersServingStatus(Transport transport) throws Exception {
        start("    health_check: {type: grpc, interval: 500ms, timeout: 400ms, rise: 1, fall: 2, initial: down}\n");
        await().atMost(Duration.ofSeconds(15)).until(() -> serverEntry(pools(), SERVER).contains("\"state\":\"up\""));
        ManagedChannel channel = channel(transport);
        assertThat(blocking(channel).unaryRpc(request("checked")).getResponseMessage()).isEqualTo("echo:checked");

        server.health().setStatus("", ServingStatus.NOT_SERVING);
        await().atMost(Duration.ofSeconds(15)).until(() -> serverEntry(pools(), SERVER).contains("\"state\":\"down\""));
        assertThat(serverEntry(pools(), SERVER)).contains("NOT_SERVING");
        StatusRuntimeException error = catchThrowableOfType(StatusRuntimeException.class,
                () -> blocking(channel).unaryRpc(request("down")));
        assertThat(error).as("the call failed").isNotNull();
        assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(error.getStatus().getDescription()).contains("no server available in pool grpc");

        server.health().setStatus("", ServingStatus.SERVING);
        await().atMost(Duration.ofSeconds(15)).until(() -> serverEntry(pools(), SERVER).contains("\"state\":\"up\""));
        assertThat(blocking(channel).unaryRpc(request("back")).getResponseMessage()).isEqualTo("echo:back");
    }

    // ---------------------------------------------------------------- helpers

    private void start(String grpcPoolExtra) throws Exception {
        start(grpcPoolExtra, "");
    }

    private void start(String grpcPoolExtra, String grpcRouteExtra) throws Exception {
        routeExtra = grpcRouteExtra;
        Files.writeString(file, config(grpcPoolExtra, false));
        appliance = Appliance.start(ConfigLoader.load(file), metrics, file);
    }

    /**
     * Both listeners route the test service to the http2 pool; a request with
     * {@code x-test-pool: legacy} goes to the same server through an http1 pool. Passive health
     * ejects after one failure, so a cancel taken for a server failure would show.
     */
    private String config(String grpcPoolExtra, boolean reloaded) {
        String routes = (reloaded ? "      - {name: other, match: {path_prefix: /other/}, pool: grpc}\n" : "")
                + "      - {name: legacy, match: {path_prefix: /grpc.testing.SimpleService/,"
                + " headers: {x-test-pool: legacy}}, pool: legacy}\n"
                + "      - {name: grpc, match: {path_prefix: /grpc.testing.SimpleService/}, pool: grpc" + routeExtra
                + "}\n";
        return """
                admin: {bind: "127.0.0.1:0", token_file: admin.token}
                certificates:
                  - {name: site, cert: "%s", key: "%s"}
                listeners:
                  - name: web
                    bind: "127.0.0.1:0"
                    protocol: http
                    routes:
                %s  - name: web-tls
                    bind: "127.0.0.1:0"
                    protocol: https
                    certificates: [site]
                    routes:
                %spools:
                  grpc:
                    protocol: http2
                    connect_timeout: %s
                    outlier_detection: {consecutive_failures: 1, max_ejected_percent: 100}
                %s    servers: [{name: g1, address: "127.0.0.1:%d"}]
                  legacy:
                    protocol: http1
                    servers: [{name: g1-http1, address: "127.0.0.1:%d"}]
                """.formatted(certificate.cert(), certificate.key(), routes, routes, reloaded ? "3s" : "2s",
                grpcPoolExtra, server.port(), server.port());
    }

    private ManagedChannel channel(Transport transport) throws SSLException {
        NettyChannelBuilder builder = NettyChannelBuilder
                .forAddress("127.0.0.1", appliance.listenerAddress(transport.listener).getPort())
                .maxInboundMessageSize(SimpleGrpcServer.MAX_MESSAGE);
        if (transport == Transport.H2C) {
            builder.usePlaintext();
        } else {
            builder.sslContext(GrpcSslContexts.forClient().trustManager(certificate.cert().toFile()).build())
                    .overrideAuthority("localhost");
        }
        ManagedChannel channel = builder.build();
        channels.add(channel);
        return channel;
    }

    private static SimpleServiceGrpc.SimpleServiceBlockingStub blocking(ManagedChannel channel) {
        return SimpleServiceGrpc.newBlockingStub(channel).withDeadlineAfter(15, SECONDS);
    }

    private static SimpleServiceGrpc.SimpleServiceStub async(ManagedChannel channel) {
        return SimpleServiceGrpc.newStub(channel).withDeadlineAfter(30, SECONDS);
    }

    private static SimpleRequest request(String message) {
        return SimpleRequest.newBuilder().setRequestMessage(message).build();
    }

    /** {@code length} letters from a seeded generator: each message different, any corruption visible. */
    private static String letters(int length, long seed) {
        Random random = new Random(seed);
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = (char) ('a' + random.nextInt(26));
        }
        return new String(chars);
    }

    private static StreamObserver<SimpleResponse> single(CompletableFuture<String> result) {
        return new StreamObserver<>() {
            private String value;

            @Override
            public void onNext(SimpleResponse response) {
                value = response.getResponseMessage();
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                result.complete(value);
            }
        };
    }

    /** The responses of a streaming call as they come, and how it ended. */
    private static final class Collector implements StreamObserver<SimpleResponse> {
        final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<Void> done = new CompletableFuture<>();

        String next() throws Exception {
            return next(15);
        }

        String next(int seconds) throws Exception {
            String message = messages.poll(seconds, SECONDS);
            if (message == null) {
                throw new AssertionError("no response within " + seconds + " s"
                        + (done.isDone() ? "; the call ended: " + describe(done) : ""));
            }
            return message;
        }

        private static String describe(CompletableFuture<Void> done) {
            try {
                done.getNow(null);
                return "completed";
            } catch (Exception e) {
                return String.valueOf(e.getCause());
            }
        }

        @Override
        public void onNext(SimpleResponse value) {
            messages.add(value.getResponseMessage());
        }

        @Override
        public void onError(Throwable t) {
            done.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
            done.complete(null);
        }
    }

    private String adminUrl(String path) {
        return "http://127.0.0.1:" + appliance.adminAddress().getPort() + path;
    }

    private static HttpResponse<String> admin(HttpRequest.Builder request) throws Exception {
        return ADMIN.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String pools() throws Exception {
        HttpResponse<String> response = admin(HttpRequest.newBuilder(URI.create(adminUrl("/api/v1/pools"))));
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** The JSON object of one server in /api/v1/pools (flat: it holds no nested object). */
    private static String serverEntry(String pools, String name) {
        Matcher matcher = Pattern.compile("\\{\"name\":\"" + Pattern.quote(name) + "\"[^{}]*}").matcher(pools);
        assertThat(matcher.find()).as("server %s in %s", name, pools).isTrue();
        return matcher.group();
    }
}
