package dev.fulcrum.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A bounded test client for the memory measurement: opens {@code count} HTTP/1.1 keep-alive
 * connections to one address, sends one GET on each and reads its whole response, then keeps
 * them all open and idle for {@code hold} seconds (or until killed) and closes them.
 *
 * <pre>java -cp benchmarks.jar dev.fulcrum.bench.IdleConnections HOST PORT COUNT HOLD_SECONDS</pre>
 *
 * Prints {@code READY n} once every connection has had its answer, {@code CLOSED} at the end.
 * Every socket read has a timeout, and the whole opening phase is bounded by {@code hold} too.
 */
public final class IdleConnections {

    private static final int READ_TIMEOUT_MS = 5000;

    private IdleConnections() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: IdleConnections HOST PORT COUNT HOLD_SECONDS");
            System.exit(2);
        }
        InetSocketAddress address = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int count = Integer.parseInt(args[2]);
        long holdNanos = Long.parseLong(args[3]) * 1_000_000_000L;
        long deadline = System.nanoTime() + holdNanos;
        byte[] request = ("GET / HTTP/1.1\r\nHost: " + args[0] + "\r\nUser-Agent: fulcrum-idle-connections\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        List<Socket> open = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("only " + i + " connections opened in time");
                }
                Socket socket = new Socket();
                open.add(socket);
                socket.setTcpNoDelay(true);
                socket.connect(address, READ_TIMEOUT_MS);
                socket.setSoTimeout(READ_TIMEOUT_MS);
                socket.getOutputStream().write(request);
                readResponse(new BufferedInputStream(socket.getInputStream()));
            }
            System.out.println("READY " + open.size());
            System.out.flush();
            long left = deadline - System.nanoTime();
            if (left > 0) {
                Thread.sleep(left / 1_000_000);
            }
        } finally {
            for (Socket socket : open) {
                socket.close();
            }
            System.out.println("CLOSED");
        }
    }

    /** Reads one response with a Content-Length body (what the benchmark backends send). */
    private static void readResponse(InputStream in) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(8192);
        int end = -1;
        while (end < 0) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed before the response head ended");
            }
            head.put((byte) b);
            int n = head.position();
            if (n >= 4 && head.get(n - 4) == '\r' && head.get(n - 3) == '\n' && head.get(n - 2) == '\r'
                    && head.get(n - 1) == '\n') {
                end = n;
            }
        }
        String text = new String(head.array(), 0, end, StandardCharsets.ISO_8859_1);
        if (!text.startsWith("HTTP/1.1 200")) {
            throw new IOException("unexpected response: " + text.lines().findFirst().orElse(""));
        }
        long length = -1;
        for (String line : text.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Long.parseLong(line.substring(15).trim());
            }
        }
        if (length < 0) {
            throw new IOException("response without Content-Length");
        }
        for (long i = 0; i < length; i++) {
            if (in.read() < 0) {
                throw new IOException("connection closed in the body");
            }
        }
    }
}
