package dev.fulcrum.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The runner against a bare Netty HTTP/2 server: the suite runs, and what fails is named. */
@ExtendWith(NoLeaks.class)
class H2SpecTest {

    private static final Duration CASE_TIMEOUT = Duration.ofSeconds(1);

    private static EventLoopGroup group;

    @BeforeAll
    static void start() {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void cleartextPriorKnowledge() throws Exception {
        Channel server = serve(null);
        try {
            H2Spec.Result result = H2Spec.run("127.0.0.1", port(server), false, CASE_TIMEOUT);
            System.out.println(result);

            assertThat(result.total()).as(result.toString()).isEqualTo(145);
            assertThat(result.passed()).as(result.toString()).isGreaterThanOrEqualTo(130);
            assertThat(result.passed() + result.failed() + result.skipped()).isEqualTo(145);
            assertThat(result.failures()).hasSize(result.failed());
            assertThat(result.failures()).allSatisfy(failure -> {
                assertThat(failure.id()).matches("(generic|http2|hpack)/[0-9.]+/[0-9]+");
                assertThat(failure.section()).isNotBlank();
                assertThat(failure.description()).isNotBlank();
                assertThat(result.toString()).contains(failure.id() + " ");
            });
            assertThat(result.output()).contains("145 tests");
        } finally {
            server.close().sync();
        }
    }

    @Test
    void tlsWithAlpn() throws Exception {
        Channel server = serve(tls());
        try {
            H2Spec.Result result = H2Spec.run("127.0.0.1", port(server), true, CASE_TIMEOUT);
            System.out.println(result);

            assertThat(result.total()).as(result.toString()).isEqualTo(145);
            assertThat(result.passed()).as(result.toString()).isGreaterThanOrEqualTo(130);
        } finally {
            server.close().sync();
        }
    }

    @Test
    void oneSectionAlone() throws Exception {
        Channel server = serve(null);
        try {
            H2Spec.Result result = H2Spec.run("127.0.0.1", port(server), false, CASE_TIMEOUT,
                    H2Spec.DEFAULT_PROCESS_TIMEOUT, "http2/6.7");

            assertThat(result.total()).as(result.toString()).isEqualTo(4);
        } finally {
            server.close().sync();
        }
    }

    @Test
    void aRunThatTakesTooLongIsKilled() throws Exception {
        // Accepts and never answers: every case waits for its timeout.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            long started = System.nanoTime();
            assertThatThrownBy(() -> H2Spec.run("127.0.0.1", silent.getLocalPort(), false,
                    CASE_TIMEOUT, Duration.ofSeconds(2)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("did not finish within PT2S");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        }
    }

    private static int port(Channel server) {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @SuppressWarnings("deprecation") // netty-pkitesting, its replacement, needs Bouncy Castle
    private static SslContext tls() throws Exception {
        SelfSignedCertificate certificate = new SelfSignedCertificate("localhost");
        try {
            return SslContextBuilder.forServer(certificate.key(), certificate.cert())
                    .sslProvider(SslProvider.JDK)
                    .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(
                            ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            ApplicationProtocolNames.HTTP_2))
                    .build();
        } finally {
            certificate.delete();
        }
    }

    private static Channel serve(SslContext tls) throws InterruptedException {
        return new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast(
                                Http2FrameCodecBuilder.forServer()
                                        .validateRequiredPseudoHeaders(true)
                                        .build(),
                                new Answer());
                    }
                })
                .bind("127.0.0.1", 0)
                .sync()
                .channel();
    }

    /** Answers every request with 200 and a short body once the request has ended. */
    private static final class Answer extends ChannelDuplexHandler {

        private static final byte[] BODY = "hello\n".getBytes(StandardCharsets.US_ASCII);

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2HeadersFrame) {
                Http2HeadersFrame headers = (Http2HeadersFrame) msg;
                if (headers.isEndStream()) {
                    respond(ctx, headers.stream());
                }
            } else if (msg instanceof Http2DataFrame) {
                Http2DataFrame data = (Http2DataFrame) msg;
                try {
                    if (data.initialFlowControlledBytes() > 0) {
                        ctx.write(new DefaultHttp2WindowUpdateFrame(
                                data.initialFlowControlledBytes()).stream(data.stream()));
                    }
                    if (data.isEndStream()) {
                        respond(ctx, data.stream());
                    }
                } finally {
                    data.release();
                }
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        private static void respond(ChannelHandlerContext ctx, Http2FrameStream stream) {
            ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers()
                    .status("200")
                    .set("content-type", "text/plain")).stream(stream));
            ctx.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(BODY), true).stream(stream));
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        /** The frame codec leaves resetting a stream it found in error to the handler. */
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof Http2FrameStreamException) {
                Http2FrameStreamException error = (Http2FrameStreamException) cause;
                ctx.writeAndFlush(new DefaultHttp2ResetFrame(error.error()).stream(error.stream()));
            } else {
                ctx.close();
            }
        }
    }
}
