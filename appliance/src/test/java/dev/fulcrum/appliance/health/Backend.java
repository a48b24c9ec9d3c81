package dev.fulcrum.appliance.health;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A backend for health tests: answers its name with a status the test sets, or resets every
 * connection, or holds answers until released; it can be stopped and started again on its port.
 */
public final class Backend implements AutoCloseable {

    public enum Mode { ANSWER, RESET, HOLD }

    private static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());

    private final String name;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger checks = new AtomicInteger();
    private final AtomicInteger status = new AtomicInteger(200);
    private final AtomicInteger healthStatus = new AtomicInteger(200);
    private volatile boolean flapping;
    private volatile String setCookie;
    private final AtomicReference<String> lastCookie = new AtomicReference<>();
    private final AtomicReference<io.netty.handler.codec.http.HttpHeaders> lastHeaders = new AtomicReference<>();
    private final AtomicReference<Mode> mode = new AtomicReference<>(Mode.ANSWER);
    private final Queue<ChannelHandlerContext> held = new ConcurrentLinkedQueue<>();
    private volatile Channel server;
    private int port;

    public Backend(String name) throws InterruptedException {
        this.name = name;
        start();
    }

    /** Listens (again) on its port; the first start picks a free one. */
    public void start() throws InterruptedException {
        server = new ServerBootstrap().group(GROUP).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024),
                                new Answerer());
                    }
                })
                .bind("127.0.0.1", port).sync().channel();
        port = ((java.net.InetSocketAddress) server.localAddress()).getPort();
    }

    /** Stops listening and drops every open connection: a killed process, as the network sees it. */
    public void stop() {
        server.close().syncUninterruptibly();
        connections.close().syncUninterruptibly();
    }

    public int port() {
        return port;
    }

    public String name() {
        return name;
    }

    /** Requests answered or refused, health checks not counted. */
    public int requests() {
        return requests.get();
    }

    public int checks() {
        return checks.get();
    }

    public void status(int code) {
        status.set(code);
    }

    /** A Set-Cookie header every answer carries (null: none). */
    public void setCookie(String value) {
        setCookie = value;
    }

    /** The Cookie header of the last request (null: none). */
    public String lastCookie() {
        return lastCookie.get();
    }

    /** A header of the last request (null: absent, or no request yet). */
    public String lastHeader(String name) {
        io.netty.handler.codec.http.HttpHeaders headers = lastHeaders.get();
        return headers == null ? null : headers.get(name);
    }

    /** What /healthz answers. */
    public void healthStatus(int code) {
        healthStatus.set(code);
    }

    /** /healthz alternates between 200 and 500, check after check. */
    public void flap(boolean value) {
        flapping = value;
    }

    public void mode(Mode value) {
        mode.set(value);
    }

    /** Requests waiting for {@link #release()}. */
    public int holding() {
        return held.size();
    }

    /** Answers the held requests, and answers from now on. */
    public void release() {
        mode.set(Mode.ANSWER);
        for (ChannelHandlerContext ctx; (ctx = held.poll()) != null; ) {
            ChannelHandlerContext waiting = ctx;
            waiting.executor().execute(() -> answer(waiting, status.get()));
        }
    }

    @Override
    public void close() {
        release();
        stop();
    }

    private final class Answerer extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (request.uri().equals("/healthz")) {
                int check = checks.incrementAndGet();
                answer(ctx, flapping ? (check % 2 == 0 ? 200 : 500) : healthStatus.get());
                return;
            }
            requests.incrementAndGet();
            lastCookie.set(request.headers().get(HttpHeaderNames.COOKIE));
            lastHeaders.set(request.headers().copy());
            switch (mode.get()) {
                case RESET -> {
                    ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                    ctx.close();
                }
                case HOLD -> held.add(ctx);
                default -> answer(ctx, status.get());
            }
        }

    }

    private void answer(ChannelHandlerContext ctx, int code) {
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(code), Unpooled.copiedBuffer(name, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        String cookie = setCookie;
        if (cookie != null) {
            response.headers().set(HttpHeaderNames.SET_COOKIE, cookie);
        }
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }
}
