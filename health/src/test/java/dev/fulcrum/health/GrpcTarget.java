package dev.fulcrum.health;

import io.grpc.Attributes;
import io.grpc.BindableService;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerTransportFilter;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.StreamObserver;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A real grpc-java server on 127.0.0.1 and a port of the kernel's choosing, serving the
 * grpc.health.v1 service of a {@link HealthStatusManager} (or one that never answers). It records
 * each call as received and counts the connections open.
 */
final class GrpcTarget implements AutoCloseable {

    /** A call as received: its authority, user agent and deadline (null for none). */
    record Seen(String authority, String userAgent, Deadline deadline) {
    }

    /**
     * A check that gives up early closes its connection while the server writes, which grpc-java
     * logs as a warning per stream. Held here: java.util.logging keeps loggers only weakly.
     */
    private static final Logger STREAM_ERRORS = Logger.getLogger(
            "io.grpc.netty.shaded.io.grpc.netty.NettyServerHandler");

    static {
        STREAM_ERRORS.setLevel(Level.SEVERE);
    }

    private static final Metadata.Key<String> USER_AGENT = Metadata.Key.of("user-agent",
            Metadata.ASCII_STRING_MARSHALLER);

    private final HealthStatusManager health = new HealthStatusManager();
    private final List<Seen> calls = new CopyOnWriteArrayList<>();
    private final AtomicInteger open = new AtomicInteger();
    private final Server server;

    private GrpcTarget(BindableService service, File cert, File key) {
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(ServerInterceptors.intercept(service == null ? health.getHealthService() : service,
                        new Recording()))
                .addTransportFilter(new Counting());
        try {
            if (cert != null) {
                builder.sslContext(GrpcSslContexts.forServer(cert, key).build());
            }
            server = builder.build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** h2c, serving the whole server as SERVING and nothing else until told. */
    static GrpcTarget plain() {
        return new GrpcTarget(null, null, null);
    }

    /** The same over TLS (with ALPN h2, as gRPC requires). */
    static GrpcTarget tls(File cert, File key) {
        return new GrpcTarget(null, cert, key);
    }

    /** A health service that answers every call with {@code response}. */
    static GrpcTarget answering(HealthCheckResponse response) {
        return new GrpcTarget(new HealthGrpc.HealthImplBase() {
            @Override
            public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> observer) {
                observer.onNext(response);
                observer.onCompleted();
            }
        }, null, null);
    }

    /** A health service that takes each call and never answers it. */
    static GrpcTarget neverAnswering() {
        return new GrpcTarget(new HealthGrpc.HealthImplBase() {
            @Override
            public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> observer) {
                // Left open: the server cancels it at its deadline, the check gives up first.
            }
        }, null, null);
    }

    int port() {
        return server.getPort();
    }

    void set(String service, ServingStatus status) {
        health.setStatus(service, status);
    }

    List<Seen> calls() {
        return calls;
    }

    /** Connections open now. */
    int open() {
        return open.get();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private final class Recording implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                           ServerCallHandler<Q, R> next) {
            calls.add(new Seen(call.getAuthority(), headers.get(USER_AGENT), Context.current().getDeadline()));
            return next.startCall(call, headers);
        }
    }

    /** Counts connections that got ready; terminated is also told of those that never did. */
    private final class Counting extends ServerTransportFilter {
        private final Attributes.Key<Boolean> counted = Attributes.Key.create("counted");

        @Override
        public Attributes transportReady(Attributes attributes) {
            open.incrementAndGet();
            return attributes.toBuilder().set(counted, true).build();
        }

        @Override
        public void transportTerminated(Attributes attributes) {
            if (attributes != null && attributes.get(counted) != null) {
                open.decrementAndGet();
            }
        }
    }
}
