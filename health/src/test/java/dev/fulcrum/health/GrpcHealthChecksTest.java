package dev.fulcrum.health;

import static dev.fulcrum.lbcore.metrics.MetricNames.FAIL;
import static dev.fulcrum.lbcore.metrics.MetricNames.HEALTH_CHECKS;
import static dev.fulcrum.lbcore.metrics.MetricNames.PASS;
import static dev.fulcrum.lbcore.metrics.MetricNames.TAG_POOL;
import static dev.fulcrum.lbcore.metrics.MetricNames.TAG_RESULT;
import static dev.fulcrum.lbcore.metrics.MetricNames.TAG_SERVER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import dev.fulcrum.config.Balance;
import dev.fulcrum.config.Endpoint;
import dev.fulcrum.config.HealthCheckType;
import dev.fulcrum.config.Location;
import dev.fulcrum.config.PoolConfig;
import dev.fulcrum.config.ServerConfig;
import dev.fulcrum.config.UpstreamConfig;
import dev.fulcrum.config.UpstreamTls;
import dev.fulcrum.health.ProbeTarget.Reply;
import dev.fulcrum.lbcore.EventLoops;
import dev.fulcrum.lbcore.Transport;
import dev.fulcrum.lbcore.pool.Pool;
import dev.fulcrum.lbcore.pool.Pools;
import dev.fulcrum.lbcore.pool.Server;
import dev.fulcrum.lbcore.pool.Transition;
import dev.fulcrum.testing.LeakReports;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthCheckResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** grpc health checks against real grpc-java servers on 127.0.0.1. */
class GrpcHealthChecksTest {

    private static final String POOL = "api";
    private static final String SERVER = "api-1";

    /** A transition, and how many checks had passed when it happened. */
    private record Seen(Transition transition, double passesBefore) {
    }

    private static SelfSignedCertificate certificate;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<Seen> transitions = new CopyOnWriteArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private EventLoops loops;
    private ActiveHealthChecks checks;

    @BeforeAll
    @SuppressWarnings("deprecation") // netty-pkitesting, its replacement, is not a dependency
    static void certificate() throws Exception {
        certificate = new SelfSignedCertificate("grpc.example");
    }

    @AfterAll
    static void deleteCertificate() {
        certificate.delete();
    }

    @BeforeEach
    void start() {
        LeakReports.reset();
        loops = new EventLoops(2, Transport.select());
    }

    @AfterEach
    void stop() throws Exception {
        if (checks != null) {
            checks.close();
        }
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        loops.close();
        LeakReports.assertNone();
    }

    private <T extends AutoCloseable> T closing(T resource) {
        resources.add(resource);
        return resource;
    }

    private static ConditionFactory within(long seconds) {
        return await().atMost(Duration.ofSeconds(seconds)).pollInterval(Duration.ofMillis(10));
    }

    // ---- fixture ----------------------------------------------------------------------------------

    private static CheckSpec grpc() {
        return CheckSpec.of(HealthCheckType.GRPC);
    }

    /** Starts checking the one server of pool "api" at {@code port}; returns that server. */
    private Server check(int port, CheckSpec spec, boolean poolTls) {
        UpstreamConfig upstream = poolTls ? new UpstreamConfig(UpstreamConfig.DEFAULT_CONNECT_TIMEOUT,
                UpstreamConfig.DEFAULT_IDLE_TIMEOUT, UpstreamConfig.DEFAULT_MAX_IDLE, Optional.empty(),
                UpstreamConfig.DEFAULT_MAX_PENDING, UpstreamConfig.DEFAULT_QUEUE_TIMEOUT,
                Optional.of(new UpstreamTls(Optional.empty(), Optional.empty(), false))) : UpstreamConfig.DEFAULTS;
        Map<String, PoolConfig> configs = Map.of(POOL, new PoolConfig(POOL, Balance.ROUND_ROBIN, Optional.empty(),
                Optional.of(spec.build()), List.of(new ServerConfig(SERVER, new Endpoint("127.0.0.1", port),
                ServerConfig.DEFAULT_WEIGHT, 0, Location.NONE)), Location.NONE, upstream));
        Map<String, Pool> pools = Pools.build(configs);
        Server server = pools.get(POOL).server(SERVER);
        server.reportTo((changed, transition) -> transitions.add(new Seen(transition, passes())));
        checks = ActiveHealthChecks.start(pools, configs, loops, registry);
        return server;
    }

    private Server check(int port, CheckSpec spec) {
        return check(port, spec, false);
    }

    private double passes() {
        return count(PASS);
    }

    private double failures() {
        return count(FAIL);
    }

    private double count(String result) {
        return registry.get(HEALTH_CHECKS).tags(TAG_POOL, POOL, TAG_SERVER, SERVER, TAG_RESULT, result).counter()
                .count();
    }

    private Seen awaitTransition(int number) {
        within(10).until(() -> transitions.size() >= number);
        return transitions.get(number - 1);
    }

    // ---- verdicts ----------------------------------------------------------------------------------

    @Test
    void aServingServerPassesAndTheCallCarriesItsAuthorityAndDeadline() {
        GrpcTarget target = closing(GrpcTarget.plain());
        Server server = check(target.port(), grpc().timeout(Duration.ofMillis(400)).initiallyDown());
        assertThat(awaitTransition(1).transition().reason()).isEqualTo("2 passed checks");
        assertThat(server.isHealthy()).isTrue();
        assertThat(failures()).isZero();

        GrpcTarget.Seen call = target.calls().get(0);
        assertThat(call.authority()).isEqualTo("127.0.0.1:" + target.port());
        assertThat(call.userAgent()).startsWith(HttpProbe.USER_AGENT);
        assertThat(call.deadline()).as("grpc-timeout sent").isNotNull();
        assertThat(call.deadline().timeRemaining(TimeUnit.MILLISECONDS)).isLessThanOrEqualTo(400);
        // One connection per check, closed after it, as with the other probes.
        within(5).until(() -> target.calls().size() >= 3);
        within(5).until(() -> target.open() <= 1);
    }

    @Test
    void aNotServingServiceFailsNamingItsStatus() {
        GrpcTarget target = closing(GrpcTarget.plain());
        target.set("billing.v1.Ledger", ServingStatus.NOT_SERVING);
        Server server = check(target.port(), grpc().service("billing.v1.Ledger"));
        assertThat(awaitTransition(1).transition().reason()).isEqualTo("2 failed checks: serving status NOT_SERVING");
        assertThat(server.isHealthy()).isFalse();
    }

    @Test
    void anUnknownServiceFailsWithTheGrpcStatus() {
        GrpcTarget target = closing(GrpcTarget.plain());
        check(target.port(), grpc().service("no.such.Service").fall(1));
        assertThat(awaitTransition(1).transition().reason())
                .isEqualTo("1 failed check: grpc status 5 NOT_FOUND: unknown service no.such.Service");
    }

    @Test
    void aServiceSwitchedToServingComesUpAfterRisePasses() {
        GrpcTarget target = closing(GrpcTarget.plain());
        target.set("ledger", ServingStatus.NOT_SERVING);
        Server server = check(target.port(), grpc().service("ledger").rise(3));
        assertThat(awaitTransition(1).transition().reason()).isEqualTo("2 failed checks: serving status NOT_SERVING");
        assertThat(passes()).isZero();

        target.set("ledger", ServingStatus.SERVING);
        Seen up = awaitTransition(2);
        assertThat(up.transition().reason()).isEqualTo("3 passed checks");
        assertThat(up.passesBefore()).isEqualTo(3.0);
        assertThat(server.isHealthy()).isTrue();
    }

    @Test
    void aTlsPoolChecksOverTlsWithAlpnH2() {
        GrpcTarget target = closing(GrpcTarget.tls(certificate.certificate(), certificate.privateKey()));
        Server server = check(target.port(), grpc().sni("grpc.example").initiallyDown(), true);
        assertThat(awaitTransition(1).transition().reason()).isEqualTo("2 passed checks");
        assertThat(server.isHealthy()).isTrue();
        assertThat(target.calls()).isNotEmpty();
    }

    /** SERVING, padded with an unknown field to a message of exactly {@code size} bytes. */
    private static HealthCheckResponse servingOfSize(int size) {
        // 2 bytes of status, 1 of tag and 3 of length: the rest is the padding.
        ByteString padding = ByteString.copyFrom(new byte[size - 6]);
        HealthCheckResponse response = HealthCheckResponse.newBuilder().setStatus(ServingStatus.SERVING)
                .setUnknownFields(UnknownFieldSet.newBuilder()
                        .addField(15, UnknownFieldSet.Field.newBuilder().addLengthDelimited(padding).build()).build())
                .build();
        assertThat(response.getSerializedSize()).isEqualTo(size);
        return response;
    }

    @Test
    void aResponseOfTheLargestSizeReadPassesAcrossSeveralFramesAndWindows() {
        // Prefix and message exceed the first 65,535-byte window: the check must open it further.
        GrpcTarget target = closing(GrpcTarget.answering(servingOfSize(GrpcWire.MAX_MESSAGE)));
        check(target.port(), grpc().initiallyDown());
        assertThat(awaitTransition(1).transition().reason()).isEqualTo("2 passed checks");
    }

    @Test
    void aLargerResponseFailsWithoutBeingRead() {
        GrpcTarget target = closing(GrpcTarget.answering(servingOfSize(GrpcWire.MAX_MESSAGE + 1)));
        check(target.port(), grpc().fall(1));
        assertThat(awaitTransition(1).transition().reason())
                .isEqualTo("1 failed check: response message of 65537 bytes, more than 64 KiB");
    }

    @Test
    void aResponseWithoutAStatusIsUnknownAndFails() {
        GrpcTarget target = closing(GrpcTarget.answering(HealthCheckResponse.getDefaultInstance()));
        check(target.port(), grpc().fall(1));
        assertThat(awaitTransition(1).transition().reason()).isEqualTo("1 failed check: serving status UNKNOWN");
    }

    // ---- servers that are not healthy gRPC servers -------------------------------------------------

    @Test
    void anHttp1ServerFailsCleanly() {
        ProbeTarget target = closing(ProbeTarget.http(n -> Reply.of(200, "hello")));
        check(target.port(), grpc());
        assertThat(awaitTransition(1).transition().reason())
                .isEqualTo("2 failed checks: the server does not speak HTTP/2: it answered in HTTP/1");
    }

    @Test
    void aServerThatNeverSendsAByteFailsAtTheTimeoutAndTheCheckClosesItsConnection() {
        ProbeTarget target = closing(ProbeTarget.silent());
        check(target.port(), grpc().timeout(Duration.ofMillis(150)));
        assertThat(awaitTransition(1).transition().reason()).isEqualTo("2 failed checks: timed out after 150ms");
        within(5).until(() -> target.closed() >= 2);
        assertThat(target.maxOpen()).isEqualTo(1);
    }

    @Test
    void aCallNeverAnsweredFailsAtTheTimeout() {
        GrpcTarget target = closing(GrpcTarget.neverAnswering());
        check(target.port(), grpc().timeout(Duration.ofMillis(200)).fall(1));
        assertThat(awaitTransition(1).transition().reason()).isEqualTo("1 failed check: timed out after 200ms");
        assertThat(target.calls()).isNotEmpty();
        within(5).until(() -> target.open() <= 1);
    }

    @Test
    void aStreamStillOpenDoesNotHoldTheConnectionOpenAfterTheTimeout() {
        // Unlike grpc-java, this server never ends the stream, not even at its deadline.
        ProbeTarget target = closing(ProbeTarget.h2NeverAnswering());
        check(target.port(), grpc().timeout(Duration.ofMillis(200)).interval(Duration.ofSeconds(10)).fall(1));
        assertThat(awaitTransition(1).transition().reason()).isEqualTo("1 failed check: timed out after 200ms");
        within(2).until(() -> target.closed() == 1);
        assertThat(target.accepted()).isEqualTo(1);
    }

    @Test
    void aPlainCheckOfATlsServerFails() {
        GrpcTarget target = closing(GrpcTarget.tls(certificate.certificate(), certificate.privateKey()));
        check(target.port(), grpc().fall(1));
        assertThat(awaitTransition(1).transition().reason())
                .isEqualTo("1 failed check: connection closed before the server's HTTP/2 SETTINGS");
        assertThat(target.calls()).isEmpty();
    }

    @Test
    void aTlsServerThatDoesNotChooseH2FailsNamingAlpn() throws Exception {
        SslContext http1Only = SslContextBuilder.forServer(certificate.key(), certificate.cert())
                .sslProvider(SslProvider.JDK).build();
        ProbeTarget target = closing(ProbeTarget.tls(http1Only));
        check(target.port(), grpc().fall(1), true);
        assertThat(awaitTransition(1).transition().reason())
                .isEqualTo("1 failed check: the server did not agree to HTTP/2 by ALPN (it chose no protocol)");
    }
}
