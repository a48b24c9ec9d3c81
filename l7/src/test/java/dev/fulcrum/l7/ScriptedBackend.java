package dev.fulcrum.l7;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A backend that answers with exact bytes written by the test, for the cases a well-behaved
 * server library will not produce on demand (a HEAD answer with a length, interim responses,
 * trailers). Loopback only; every read times out; at most a few connections.
 */
final class ScriptedBackend implements AutoCloseable {

    private static final int READ_TIMEOUT_MILLIS = 5_000;
    private static final int MAX_CONNECTIONS = 8;

    /** What the backend does with one connection. */
    @FunctionalInterface
    interface Script {
        void serve(Connection connection) throws IOException;
    }

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newFixedThreadPool(MAX_CONNECTIONS + 1);

    ScriptedBackend(Script script) throws IOException {
        server = new ServerSocket(0, MAX_CONNECTIONS, InetAddress.getLoopbackAddress());
        threads.execute(() -> {
            for (int i = 0; i < MAX_CONNECTIONS && !server.isClosed(); i++) {
                try {
                    Socket socket = server.accept();
                    socket.setSoTimeout(READ_TIMEOUT_MILLIS);
                    threads.execute(() -> {
                        try (socket) {
                            script.serve(new Connection(socket));
                        } catch (IOException e) {
                            // The test's assertions on the client side tell what went wrong.
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    int port() {
        return server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One accepted connection: read request heads and bodies, write raw bytes. */
    static final class Connection {
        private final InputStream in;
        private final OutputStream out;

        Connection(Socket socket) throws IOException {
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        /** The next request head up to its blank line, or null at end of stream. */
        String readHead() throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            int b;
            while (matched < 4 && (b = in.read()) != -1) {
                head.write(b);
                matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                        ? matched + 1 : 0;
            }
            return matched == 4 ? head.toString(StandardCharsets.ISO_8859_1) : null;
        }

        String readBody(int length) throws IOException {
            return new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
        }

        void write(String raw) throws IOException {
            out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        boolean isClosed() {
            try {
                return in.read() == -1;
            } catch (SocketException e) {
                return true;
            } catch (IOException e) {
                return false;
            }
        }
    }
}
