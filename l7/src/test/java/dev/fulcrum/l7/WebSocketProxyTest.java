package dev.fulcrum.l7;

import static dev.fulcrum.l7.ProxyFixture.defaultRoute;
import static dev.fulcrum.l7.ProxyFixture.poolAtPort;
import static dev.fulcrum.l7.ProxyFixture.pools;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.l7.ProxyFixture.Setup;
import dev.fulcrum.lbcore.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A WebSocket conversation through the proxy: the upgrade is relayed, then frames flow both ways. */
class WebSocketProxyTest {

    private final MultiThreadIoEventLoopGroup clientGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    @BeforeEach
    void noLeaksYet() {
        LeakLog.reset();
    }

    @AfterEach
    void stop() {
        clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        LeakLog.assertNoLeaks();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void framesFlowBothWaysAfterTheUpgrade(Setup setup) throws Exception {
        try (WebSocketEchoBackend backend = new WebSocketEchoBackend();
             ProxyFixture proxy = new ProxyFixture(setup, List.of(defaultRoute("ws")),
                     pools(poolAtPort("ws", "echo", backend.port())))) {
            BlockingQueue<String> received = new LinkedBlockingQueue<>();
            CompletableFuture<Void> handshake = new CompletableFuture<>();
            URI uri = URI.create("ws://127.0.0.1:" + proxy.address().getPort() + "/ws");
            Channel client = new Bootstrap()
                    .group(clientGroup)
                    .channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline()
                                    .addLast(new HttpClientCodec())
                                    .addLast(new HttpObjectAggregator(64 * 1024))
                                    .addLast(new WebSocketClientProtocolHandler(uri, WebSocketVersion.V13, null, false,
                                            null, 64 * 1024))
                                    .addLast(new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                                        @Override
                                        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                            if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                                                handshake.complete(null);
                                            } else if (evt == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
                                                handshake.completeExceptionally(new AssertionError("handshake timed out"));
                                            }
                                        }

                                        @Override
                                        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame f) {
                                            received.add(f.text());
                                        }
                                    });
                        }
                    })
                    .connect(proxy.address()).sync().channel();
            try {
                handshake.get(10, TimeUnit.SECONDS);
                for (int i = 0; i < 3; i++) {
                    client.writeAndFlush(new TextWebSocketFrame("hello " + i));
                    assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("echo: hello " + i);
                }
            } finally {
                client.close().syncUninterruptibly();
            }
        }
    }

    @Test
    void aTunnelCarriesRawBytesBothWaysAndClosesWhenTheBackendDoes() throws Exception {
        try (ScriptedBackend backend = new ScriptedBackend(connection -> {
                String head = connection.readHead();
                if (head != null && head.toLowerCase(Locale.ROOT).contains("upgrade: chat")
                        && head.toLowerCase(Locale.ROOT).contains("connection: upgrade")) {
                    connection.write("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: chat\r\n\r\n");
                    String hello = connection.readBody(5);
                    connection.write("you said " + hello);
                }
            });
             ProxyFixture proxy = new ProxyFixture(new Setup(Transport.NIO, 1),
                     List.of(defaultRoute("chat")), pools(poolAtPort("chat", "chat", backend.port())));
             RawHttpClient client = proxy.client()) {
            client.send("GET /chat HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: chat\r\n\r\n");
            RawHttpClient.Response switched = client.readHead();
            assertThat(switched.status()).isEqualTo(101);
            assertThat(switched.headers().get("upgrade")).containsExactly("chat");

            client.send("hello");

            assertThat(client.readRemaining()).isEqualTo("you said hello");
        }
    }

    @Test
    void aSwitchNobodyAskedForIsABadGateway() throws Exception {
        try (ScriptedBackend backend = new ScriptedBackend(connection -> {
                if (connection.readHead() != null) {
                    connection.write("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: chat\r\n\r\n");
                }
            });
             ProxyFixture proxy = new ProxyFixture(new Setup(Transport.NIO, 1),
                     List.of(defaultRoute("chat")), pools(poolAtPort("chat", "chat", backend.port())));
             RawHttpClient client = proxy.client()) {
            assertThat(client.exchange(RawHttpClient.get("/plain", "x")).status()).isEqualTo(502);
        }
    }
}
