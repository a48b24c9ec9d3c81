package dev.fulcrum.appliance.ha;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The client side of the pair's end-to-end test, run in the test's LAN namespace: a backend that
 * answers with the address of the load balancer that reached it, and a client sending requests
 * to the virtual IP without pause, each on a new connection. It prints a line each time the
 * outcome changes ({@code <epoch millis> ok <balancer address>} or {@code <epoch millis> fail
 * <why>}), so the test reads when traffic moved. It stops at its deadline, or when its standard
 * input closes (the test ended).
 *
 * <p>Arguments: backend bind address, backend port, virtual IP, listener port, seconds to run.
 */
public final class LanSide {

    private static final int CONNECT_TIMEOUT_MILLIS = 200;
    private static final int READ_TIMEOUT_MILLIS = 300;

    private LanSide() {
    }

    public static void main(String[] args) throws Exception {
        HttpServer backend = HttpServer.create(new InetSocketAddress(args[0], Integer.parseInt(args[1])), 64);
        backend.createContext("/", exchange -> {
            byte[] body = exchange.getRemoteAddress().getAddress().getHostAddress().getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        backend.start();
        Thread watchdog = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // Nothing is sent; end of input means the test is gone.
                }
            } catch (IOException ignored) {
                // Same as end of input.
            }
            System.exit(0);
        }, "stdin-watch");
        watchdog.setDaemon(true);
        watchdog.start();
        System.out.println(System.currentTimeMillis() + " ready");
        System.out.flush();

        InetSocketAddress vip = new InetSocketAddress(args[2], Integer.parseInt(args[3]));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[4]));
        String last = "";
        while (System.nanoTime() < deadline) {
            String outcome = request(vip);
            if (!outcome.equals(last)) {
                System.out.println(System.currentTimeMillis() + " " + outcome);
                System.out.flush();
                last = outcome;
            }
            if (outcome.startsWith("fail")) {
                // A refused connection returns at once; this keeps a dead VIP from spinning a core.
                Thread.sleep(5);
            }
        }
        backend.stop(0);
        System.exit(0);
    }

    private static String request(InetSocketAddress vip) {
        try (Socket socket = new Socket()) {
            socket.connect(vip, CONNECT_TIMEOUT_MILLIS);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /probe HTTP/1.1\r\nHost: " + vip.getHostString() + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            if (!response.startsWith("HTTP/1.1 200")) {
                int end = response.indexOf('\r');
                return "fail status " + (end < 0 ? response : response.substring(0, end));
            }
            String body = response.substring(response.indexOf("\r\n\r\n") + 4).strip();
            // The balancer died mid-response: the headers came, the body did not.
            return body.isEmpty() ? "fail truncated" : "ok " + body;
        } catch (IOException e) {
            return "fail " + e.getClass().getSimpleName();
        }
    }
}
