package dev.fulcrum.appliance.grpc;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real grpc-java server of {@code grpc.testing.SimpleService} (plus grpc.health.v1) on
 * 127.0.0.1 and a port of the kernel's choosing. What it answers depends on the request message:
 * <ul>
 *   <li>unary: {@code error} fails with INVALID_ARGUMENT "bad thing"; {@code slow} answers after
 *   5 s unless cancelled first; anything else is echoed as {@code echo:<message>};</li>
 *   <li>client streaming: the messages joined with commas;</li>
 *   <li>server streaming: {@code count:N} sends {@code item-0..item-(N-1)}; {@code forever} sends a
 *   tick every 20 ms until the call is cancelled;</li>
 *   <li>bidi: each message echoed as it comes, completed when the client completes.</li>
 * </ul>
 * Every response carries the header {@code x-server-header} and the trailers
 * {@code x-server-trailer} and {@code x-server-trailer-bin}; the headers of each call are kept.
 */
final class SimpleGrpcServer implements AutoCloseable {

    static final Metadata.Key<String> SERVER_HEADER = Metadata.Key.of("x-server-header",
            Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> SERVER_TRAILER = Metadata.Key.of("x-server-trailer",
            Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<byte[]> SERVER_TRAILER_BIN = Metadata.Key.of("x-server-trailer-bin",
            Metadata.BINARY_BYTE_MARSHALLER);
    static final byte[] TRAILER_BYTES = {0, 1, 2, (byte) 0xfe, (byte) 0xff};
    static final int MAX_MESSAGE = 8 * 1024 * 1024;

    /** A call as the server saw it arrive. */
    record Seen(String method, String authority, Metadata headers, Deadline deadline) {
    }

    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "grpc-test-timers");
        thread.setDaemon(true);
        return thread;
    });
    private final HealthStatusManager health = new HealthStatusManager();
    private final Queue<Seen> calls = new ConcurrentLinkedQueue<>();
    private final Server server;

    /** Counted down when a {@code slow} unary call is cancelled before its answer. */
    final CountDownLatch slowCancelled = new CountDownLatch(1);
    /** The deadline the {@code slow} call arrived with (null: none). */
    final AtomicReference<Deadline> slowDeadline = new AtomicReference<>();
    /** Counted down when a {@code forever} server-streaming call's cancel handler runs. */
    final CountDownLatch streamCancelled = new CountDownLatch(1);
    /** Ticks a {@code forever} call sent. */
    final AtomicInteger ticks = new AtomicInteger();
    /** Bidi calls that saw the client complete, and those that ended in an error. */
    final AtomicInteger bidiCompleted = new AtomicInteger();
    final Queue<Throwable> bidiErrors = new ConcurrentLinkedQueue<>();

    SimpleGrpcServer() throws IOException {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .maxInboundMessageSize(MAX_MESSAGE)
                .addService(ServerInterceptors.intercept(new Service(), new Recording()))
                .addService(health.getHealthService())
                .build()
                .start();
    }

    int port() {
        return server.getPort();
    }

    HealthStatusManager health() {
        return health;
    }

    List<Seen> calls() {
        return new ArrayList<>(calls);
    }

    /** The last call received for a method ({@code UnaryRpc}, ...), or null. */
    Seen last(String method) {
        Seen found = null;
        for (Seen seen : calls) {
            if (seen.method().endsWith("/" + method)) {
                found = seen;
            }
        }
        return found;
    }

    /** Stops listening and cuts every connection. */
    void stop() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        stop();
        timers.shutdownNow();
        timers.awaitTermination(5, TimeUnit.SECONDS);
    }

    private static SimpleResponse response(String text) {
        return SimpleResponse.newBuilder().setResponseMessage(text).build();
    }

    private final class Service extends SimpleServiceGrpc.SimpleServiceImplBase {

        @Override
        public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> observer) {
            String message = request.getRequestMessage();
            switch (message) {
                case "error" -> observer.onError(Status.INVALID_ARGUMENT.withDescription("bad thing")
                        .asRuntimeException());
                case "slow" -> {
                    Context context = Context.current();
                    slowDeadline.set(context.getDeadline());
                    AtomicBoolean answered = new AtomicBoolean();
                    // The context is also cancelled once a call ends normally: only a cancel before the answer counts.
                    context.addListener(cancelled -> {
                        if (!answered.get()) {
                            slowCancelled.countDown();
                        }
                    }, Runnable::run);
                    timers.schedule(() -> {
                        if (!context.isCancelled() && answered.compareAndSet(false, true)) {
                            observer.onNext(response("late"));
                            observer.onCompleted();
                        }
                    }, 5, TimeUnit.SECONDS);
                }
                default -> {
                    observer.onNext(response("echo:" + message));
                    observer.onCompleted();
                }
            }
        }

        @Override
        public StreamObserver<SimpleRequest> clientStreamingRpc(StreamObserver<SimpleResponse> observer) {
            List<String> received = new ArrayList<>();
            return new StreamObserver<>() {
                @Override
                public void onNext(SimpleRequest value) {
                    received.add(value.getRequestMessage());
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                    observer.onNext(response(String.join(",", received)));
                    observer.onCompleted();
                }
            };
        }

        @Override
        public void serverStreamingRpc(SimpleRequest request, StreamObserver<SimpleResponse> observer) {
            String message = request.getRequestMessage();
            if (message.equals("forever")) {
                ServerCallStreamObserver<SimpleResponse> call = (ServerCallStreamObserver<SimpleResponse>) observer;
                AtomicReference<ScheduledFuture<?>> ticking = new AtomicReference<>();
                call.setOnCancelHandler(() -> {
                    ScheduledFuture<?> future = ticking.get();
                    if (future != null) {
                        future.cancel(false);
                    }
                    streamCancelled.countDown();
                });
                // Bounded: at most 3,000 ticks (a minute), should the cancel never come.
                ticking.set(timers.scheduleAtFixedRate(() -> {
                    if (call.isCancelled()) {
                        return;
                    }
                    int tick = ticks.getAndIncrement();
                    if (tick >= 3000) {
                        ticking.get().cancel(false);
                        call.onCompleted();
                        return;
                    }
                    call.onNext(response("tick-" + tick));
                }, 0, 20, TimeUnit.MILLISECONDS));
                return;
            }
            int count = Integer.parseInt(message.substring("count:".length()));
            for (int i = 0; i < count; i++) {
                observer.onNext(response("item-" + i));
            }
            observer.onCompleted();
        }

        @Override
        public StreamObserver<SimpleRequest> bidiStreamingRpc(StreamObserver<SimpleResponse> observer) {
            return new StreamObserver<>() {
                @Override
                public void onNext(SimpleRequest value) {
                    observer.onNext(response("echo:" + value.getRequestMessage()));
                }

                @Override
                public void onError(Throwable t) {
                    bidiErrors.add(t);
                }

                @Override
                public void onCompleted() {
                    bidiCompleted.incrementAndGet();
                    observer.onCompleted();
                }
            };
        }
    }

    /** Keeps each call's headers and adds the response header and trailers. */
    private final class Recording implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                           ServerCallHandler<Q, R> next) {
            calls.add(new Seen(call.getMethodDescriptor().getFullMethodName(), call.getAuthority(), headers,
                    Context.current().getDeadline()));
            return next.startCall(new SimpleForwardingServerCall<>(call) {
                @Override
                public void sendHeaders(Metadata responseHeaders) {
                    responseHeaders.put(SERVER_HEADER, "from-server");
                    super.sendHeaders(responseHeaders);
                }

                @Override
                public void close(Status status, Metadata trailers) {
                    trailers.put(SERVER_TRAILER, "trailer-value");
                    trailers.put(SERVER_TRAILER_BIN, TRAILER_BYTES);
                    super.close(status, trailers);
                }
            }, headers);
        }
    }
}
