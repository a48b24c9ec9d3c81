package dev.fulcrum.lbcore;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.concurrent.ThreadAwareExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * On epoll, a socket whose peer half-closed it still takes a reply larger than the socket buffers
 * hold, and a socket shut down both ways does not busy its event loop while it stays open.
 */
class EpollHalfClosureTest {

    private static final int LARGE = 16 << 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private MultiThreadIoEventLoopGroup group;
    private Channel listener;

    @BeforeEach
    void epollOnly() {
        assumeTrue(Epoll.isAvailable(), "epoll is not available here");
    }

    @AfterEach
    void close() {
        if (listener != null) {
            listener.close().awaitUninterruptibly(TIMEOUT.toMillis());
        }
        if (group != null) {
            group.shutdownGracefully(0, TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .awaitUninterruptibly(TIMEOUT.toMillis());
        }
    }

    @Test
    void aHalfClosedPeerReceivesMoreThanTheSocketBuffersHold() throws Exception {
        Replier replier = listen(Transport.EPOLL.ioHandlerFactory(), LARGE);
        assertThat(askAndCount()).isEqualTo(LARGE);
        assertThat(replier.replied).succeedsWithin(TIMEOUT);
        assertThat(replier.errors).isEmpty();
    }

    /** When this fails, Netty got fixed: delete EpollRegistrationWorkaround and this test. */
    @Test
    void nettyAloneStillLosesTheHalfClosedPeer() throws Exception {
        Replier replier = listen(EpollIoHandler.newFactory(), LARGE);
        askAndCount();
        assertThat(replier.replied).failsWithin(TIMEOUT)
                .withThrowableThat().havingRootCause().withMessageContaining("epoll_ctl");
    }

    @Test
    void aSocketShutDownBothWaysDoesNotSpinTheLoop() throws Exception {
        LoopCounter counter = new LoopCounter(Transport.EPOLL.ioHandlerFactory());
        Replier replier = listen(counter, 64 * 1024);
        long loopThread = group.next().submit(() -> Thread.currentThread().getId())
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        assertThat(askAndCount()).isEqualTo(64 * 1024);
        Channel served = replier.replied.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

        // Both ways shut down, the channel still open: epoll reports EPOLLHUP for its socket.
        long turnsBefore = counter.turns();
        long cpuBefore = threads.getThreadCpuTime(loopThread);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).untilAsserted(() ->
                assertThat(counter.turns() - turnsBefore).as("event loop turns while the socket idles").isLessThan(50));
        if (cpuBefore >= 0) {
            long cpuMillis = TimeUnit.NANOSECONDS.toMillis(threads.getThreadCpuTime(loopThread) - cpuBefore);
            assertThat(cpuMillis).as("event loop CPU time while the socket idles, ms").isLessThan(200);
        }
        assertThat(served.isOpen()).isTrue();
        assertThat(served.close().await(TIMEOUT.toMillis())).isTrue();
        assertThat(replier.errors).isEmpty();
    }

    private Replier listen(IoHandlerFactory factory, int replySize) throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(1, factory);
        Replier replier = new Replier(replySize);
        listener = new ServerBootstrap()
                .group(group)
                .channel(Transport.EPOLL.serverChannelClass())
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(replier)
                .bind(InetAddress.getLoopbackAddress(), 0)
                .sync()
                .channel();
        return replier;
    }

    /**
     * Sends a request and half-closes, waits for the reply to start, so the buffers fill and the
     * server must wait for room, then counts the reply up to its end; -1 if the connection failed.
     */
    private long askAndCount() throws Exception {
        InetSocketAddress address = (InetSocketAddress) listener.localAddress();
        try (Socket client = new Socket(address.getAddress(), address.getPort())) {
            client.setSoTimeout((int) TIMEOUT.toMillis());
            client.getOutputStream().write("send me a lot".getBytes(US_ASCII));
            client.shutdownOutput();
            InputStream in = client.getInputStream();
            await().atMost(TIMEOUT).until(() -> in.available() > 0);
            long total = 0;
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                total += n;
            }
            return total;
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Reads the request to its end, then answers {@code size} bytes and shuts its output down,
     * leaving the channel open for the test. It answers once the read that saw the end is over,
     * when the channel awaits no event at all.
     */
    @ChannelHandler.Sharable
    private static final class Replier extends ChannelInboundHandlerAdapter {
        final CompletableFuture<Channel> replied = new CompletableFuture<>();
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        private final int size;

        Replier(int size) {
            this.size = size;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.read();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ((ByteBuf) msg).release();
            ctx.read();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == ChannelInputShutdownEvent.INSTANCE) {
                ctx.executor().execute(() -> reply((DuplexChannel) ctx.channel()));
            }
        }

        private void reply(DuplexChannel channel) {
            channel.writeAndFlush(Unpooled.wrappedBuffer(new byte[size])).addListener(written -> {
                if (!written.isSuccess()) {
                    replied.completeExceptionally(written.cause());
                    return;
                }
                channel.shutdownOutput().addListener(shut -> {
                    if (shut.isSuccess()) {
                        replied.complete(channel);
                    } else {
                        replied.completeExceptionally(shut.cause());
                    }
                });
            });
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            errors.add(cause);
            ctx.close();
        }
    }

    /** Counts the event loop's turns: a loop woken again and again by an ignored event makes thousands. */
    private static final class LoopCounter implements IoHandlerFactory {
        private final IoHandlerFactory delegate;
        private final AtomicLong turns = new AtomicLong();

        LoopCounter(IoHandlerFactory delegate) {
            this.delegate = delegate;
        }

        long turns() {
            return turns.get();
        }

        @Override
        public IoHandler newHandler(ThreadAwareExecutor executor) {
            IoHandler handler = delegate.newHandler(executor);
            return new IoHandler() {
                @Override
                public void initialize() {
                    handler.initialize();
                }

                @Override
                public int run(IoHandlerContext context) {
                    turns.incrementAndGet();
                    return handler.run(context);
                }

                @Override
                public void prepareToDestroy() {
                    handler.prepareToDestroy();
                }

                @Override
                public void destroy() {
                    handler.destroy();
                }

                @Override
                public IoRegistration register(IoHandle handle) throws Exception {
                    return handler.register(handle);
                }

                @Override
                public void wakeup() {
                    handler.wakeup();
                }

                @Override
                public boolean isCompatible(Class<? extends IoHandle> handleType) {
                    return handler.isCompatible(handleType);
                }
            };
        }

        @Override
        public boolean isChangingThreadSupported() {
            return delegate.isChangingThreadSupported();
        }
    }
}
