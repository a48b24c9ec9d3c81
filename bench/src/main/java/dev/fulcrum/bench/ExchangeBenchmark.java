package dev.fulcrum.bench;

import dev.fulcrum.config.AdminConfig;
import dev.fulcrum.config.Balance;
import dev.fulcrum.config.Endpoint;
import dev.fulcrum.config.ForwardingConfig;
import dev.fulcrum.config.FulcrumConfig;
import dev.fulcrum.config.HashOn;
import dev.fulcrum.config.HttpEdgeConfig;
import dev.fulcrum.config.ListenerConfig;
import dev.fulcrum.config.Location;
import dev.fulcrum.config.MatchConfig;
import dev.fulcrum.config.PoolConfig;
import dev.fulcrum.config.Protocol;
import dev.fulcrum.config.ProxyProtocol;
import dev.fulcrum.config.RouteConfig;
import dev.fulcrum.config.RoutePolicy;
import dev.fulcrum.config.ServerConfig;
import dev.fulcrum.config.UpstreamConfig;
import dev.fulcrum.l7.HttpListener;
import dev.fulcrum.l7.L7Snapshot;
import dev.fulcrum.lbcore.EventLoops;
import dev.fulcrum.lbcore.Transport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * One keep-alive HTTP/1.1 exchange end to end through the real L7 listener on loopback, one
 * request per operation: a blocking client socket sends {@code GET / HTTP/1.1} with a Host
 * header and reads the whole response; an {@link HttpListener} with one event loop (the best
 * transport, as the appliance picks it) routes it over a pooled keep-alive connection to an
 * in-process Netty backend (one thread of its own) that answers a fixed 2-byte body with
 * Content-Length. Requests go one at a time, so the time per operation is a round trip
 * through three threads on loopback, not a throughput figure.
 *
 * <p>With {@code -prof gc}, {@code gc.alloc.rate.norm} is what the whole JVM allocates per
 * request: client, backend and proxy. The client reads into one reused buffer and the backend
 * sends one prepared response after Netty's request decoder; both are the same code in every
 * build, so differences between builds are the proxy's. After each iteration the benchmark
 * prints the CPU time of the proxy's event loop thread per request (from {@link ThreadMXBean}),
 * the proxy's work alone without the client, the backend or the collector, and at the end their
 * mean over the measurement iterations. The fork runs with the JVM options the appliance ships
 * (parallel collector, leak detection off) and meters go to a {@link SimpleMeterRegistry}.
 *
 * <pre>java -jar bench/target/benchmarks.jar ExchangeBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseParallelGC", "-Dio.netty.leakDetection.level=disabled",
        "-Xms512m", "-Xmx512m"})
public class ExchangeBenchmark {

    private static final int TIMEOUT_MS = 5000;
    private static final byte[] BODY = "ok".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RESPONSE = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
            + BODY.length + "\r\n\r\n" + new String(BODY, StandardCharsets.US_ASCII))
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REQUEST = ("GET / HTTP/1.1\r\nHost: bench.example.com\r\n"
            + "User-Agent: fulcrum-exchange-benchmark\r\nAccept: */*\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(StandardCharsets.US_ASCII);

    private MultiThreadIoEventLoopGroup backendGroup;
    private Channel backend;
    private EventLoops loops;
    private final AtomicReference<L7Snapshot> snapshot = new AtomicReference<>();
    private HttpListener listener;
    private Socket socket;
    private OutputStream out;
    private InputStream in;
    private final byte[] buffer = new byte[8192];
    /** Connections the backend accepted: one while the proxy keeps its pooled connection. */
    private static final AtomicInteger BACKEND_CONNECTIONS = new AtomicInteger();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private long proxyThreadId;
    private long requests;
    private long iterationRequests;
    private long iterationCpu;
    /** The proxy loop's CPU time per request in each measurement iteration, in microseconds. */
    private final List<Double> proxyCpu = new ArrayList<>();

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Transport transport = Transport.select();
        backendGroup = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        backend = new ServerBootstrap()
                .group(backendGroup)
                .channel(transport.serverChannelClass())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        BACKEND_CONNECTIONS.incrementAndGet();
                        ch.pipeline().addLast(new HttpRequestDecoder(), new FixedResponse());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
        int backendPort = ((InetSocketAddress) backend.localAddress()).getPort();

        loops = new EventLoops(1, transport);
        proxyThreadId = loops.loops().get(0).submit(() -> Thread.currentThread().getId()).get(10, TimeUnit.SECONDS);
        ServerConfig server = new ServerConfig("b1", new Endpoint("127.0.0.1", backendPort),
                ServerConfig.DEFAULT_WEIGHT, 0, Location.NONE);
        PoolConfig pool = new PoolConfig("backend", Balance.ROUND_ROBIN, Optional.empty(), Optional.empty(),
                List.of(server), Location.NONE, UpstreamConfig.DEFAULTS, HashOn.SOURCE);
        RouteConfig route = new RouteConfig("default", MatchConfig.ANY, "backend", Location.NONE,
                RoutePolicy.DEFAULTS);
        ListenerConfig web = new ListenerConfig("web", new Endpoint("127.0.0.1", 0), Protocol.HTTP, List.of(route),
                Optional.empty(), List.of(), ProxyProtocol.NONE, Location.NONE, HttpEdgeConfig.DEFAULTS,
                ForwardingConfig.DEFAULTS, Optional.empty());
        FulcrumConfig config = new FulcrumConfig("bench", Optional.of(1), AdminConfig.defaults(), List.of(),
                List.of(web), Map.of("backend", pool), Optional.empty());
        snapshot.set(L7Snapshot.build(config, loops, new SimpleMeterRegistry()));
        listener = HttpListener.start(web, loops, snapshot::get).get(10, TimeUnit.SECONDS);

        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(listener.localAddress(), TIMEOUT_MS);
        socket.setSoTimeout(TIMEOUT_MS);
        out = socket.getOutputStream();
        in = socket.getInputStream();
        int length = exchange();
        String body = new String(buffer, length - BODY.length, BODY.length, StandardCharsets.US_ASCII);
        if (!body.equals("ok")) {
            throw new IllegalStateException("unexpected body: " + body);
        }
    }

    @Setup(Level.Iteration)
    public void startIteration() {
        iterationRequests = requests;
        iterationCpu = THREADS.getThreadCpuTime(proxyThreadId);
    }

    /** Prints the proxy loop's CPU time per request of the iteration that ended. */
    @TearDown(Level.Iteration)
    public void endIteration(IterationParams iteration) {
        long used = THREADS.getThreadCpuTime(proxyThreadId) - iterationCpu;
        double perRequest = used / 1000.0 / Math.max(1, requests - iterationRequests);
        if (iteration.getType() == IterationType.MEASUREMENT) {
            proxyCpu.add(perRequest);
        }
        System.out.printf(Locale.ROOT, "(proxy loop CPU %.2f us/request) ", perRequest);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        System.out.println("backend connections opened: " + BACKEND_CONNECTIONS.get() + " for " + requests
                + " requests");
        if (!proxyCpu.isEmpty()) {
            double sum = 0;
            for (double value : proxyCpu) {
                sum += value;
            }
            System.out.printf(Locale.ROOT, "proxy loop CPU per request over %d measurement iterations: mean %.2f us"
                    + " (min %.2f, max %.2f)%n", proxyCpu.size(), sum / proxyCpu.size(), Collections.min(proxyCpu),
                    Collections.max(proxyCpu));
        }
        if (socket != null) {
            socket.close();
        }
        if (listener != null) {
            listener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (snapshot.get() != null) {
            snapshot.get().close();
        }
        if (loops != null) {
            loops.close();
        }
        if (backend != null) {
            backend.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (backendGroup != null) {
            backendGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }

    @Benchmark
    public int request() throws IOException {
        return exchange();
    }

    /** Sends one request and reads its whole response into the buffer; returns the response's length. */
    private int exchange() throws IOException {
        requests++;
        out.write(REQUEST);
        int filled = 0;
        int expected = -1;
        while (expected < 0 || filled < expected) {
            int n = in.read(buffer, filled, buffer.length - filled);
            if (n < 0) {
                throw new IOException("connection closed after " + filled + " bytes of the response");
            }
            filled += n;
            if (expected < 0) {
                int headEnd = headEnd(filled);
                if (headEnd >= 0) {
                    expected = headEnd + contentLength(headEnd);
                } else if (filled == buffer.length) {
                    throw new IOException("response head longer than " + buffer.length + " bytes");
                }
            }
        }
        if (filled != expected) {
            throw new IOException(filled + " bytes read where the response has " + expected);
        }
        if (buffer[9] != '2' || buffer[10] != '0' || buffer[11] != '0') {
            throw new IOException("unexpected response: " + new String(buffer, 0, Math.min(filled, 40),
                    StandardCharsets.ISO_8859_1));
        }
        return filled;
    }

    /** The offset just past the blank line that ends the head, or -1 when it has not arrived. */
    private int headEnd(int filled) {
        for (int i = 3; i < filled; i++) {
            if (buffer[i] == '\n' && buffer[i - 1] == '\r' && buffer[i - 2] == '\n' && buffer[i - 3] == '\r') {
                return i + 1;
            }
        }
        return -1;
    }

    /** The Content-Length of the head in the buffer (which must have one). */
    private int contentLength(int headEnd) throws IOException {
        for (int line = 0; line < headEnd; ) {
            if (startsWithIgnoreCase(line, headEnd)) {
                int value = 0;
                int i = line + CONTENT_LENGTH.length;
                while (buffer[i] == ' ') {
                    i++;
                }
                while (buffer[i] >= '0' && buffer[i] <= '9') {
                    value = value * 10 + (buffer[i++] - '0');
                }
                return value;
            }
            while (line < headEnd && buffer[line] != '\n') {
                line++;
            }
            line++;
        }
        throw new IOException("response without Content-Length");
    }

    private boolean startsWithIgnoreCase(int at, int limit) {
        if (at + CONTENT_LENGTH.length > limit) {
            return false;
        }
        for (int i = 0; i < CONTENT_LENGTH.length; i++) {
            int c = buffer[at + i];
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            if (c != CONTENT_LENGTH[i]) {
                return false;
            }
        }
        return true;
    }

    /** The backend: the same 2-byte response to every request, once the request has ended. */
    private static final class FixedResponse extends SimpleChannelInboundHandler<HttpObject> {
        private static final ByteBuf ENCODED = Unpooled.unreleasableBuffer(
                Unpooled.directBuffer(RESPONSE.length).writeBytes(RESPONSE));

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof LastHttpContent) {
                ctx.writeAndFlush(ENCODED.duplicate());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
