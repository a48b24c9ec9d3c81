package dev.fulcrum.appliance.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.appliance.Metrics;
import dev.fulcrum.appliance.StartException;
import dev.fulcrum.appliance.demo.Demo;
import dev.fulcrum.config.Endpoint;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/** The demo on loopback ports of the kernel's choosing, and a little of every kind of traffic it takes. */
final class DemoTraffic {

    private DemoTraffic() {
    }

    static Demo startDemo(Metrics metrics) throws StartException {
        Endpoint any = new Endpoint("127.0.0.1", 0);
        return Demo.start(any, any, any, any, metrics);
    }

    /** Proxied HTTP to both pools, a 404, HTTPS through the TLS listener, and a TCP relay. */
    static void send(Demo demo) throws IOException, GeneralSecurityException {
        InetSocketAddress web = demo.appliance().listenerAddress("web");
        for (String path : new String[] {"/video/a", "/video/b", "/billing/a", "/billing/b"}) {
            assertThat(get(new Socket(web.getAddress(), web.getPort()), path)).startsWith("HTTP/1.1 200");
        }
        assertThat(get(new Socket(web.getAddress(), web.getPort()), "/elsewhere")).startsWith("HTTP/1.1 404");
        InetSocketAddress tls = demo.appliance().listenerAddress("web-tls");
        SSLSocket secure = (SSLSocket) trustingAnyCertificate().getSocketFactory()
                .createSocket(tls.getAddress(), tls.getPort());
        assertThat(get(secure, "/video/tls")).startsWith("HTTP/1.1 200");
        InetSocketAddress tcp = demo.appliance().listenerAddress("video-tcp");
        assertThat(get(new Socket(tcp.getAddress(), tcp.getPort()), "/video/tcp")).startsWith("HTTP/1.1 200");
    }

    /** One request on its own connection, read to the end (the server closes after it). */
    private static String get(Socket socket, String path) throws IOException {
        try (socket) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The demo's certificate is self-signed and made at start: only the handshake matters here. */
    private static SSLContext trustingAnyCertificate() throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        return context;
    }
}
