package dev.fulcrum.l4;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend on plain blocking sockets, one thread per connection, so a test scripts exactly
 * what the server sends, when it half-closes and what it saw.
 */
final class SocketBackend implements AutoCloseable {

    /** What the backend does with one accepted connection; the socket is closed afterwards. */
    interface Script {
        void run(Socket socket) throws Exception;
    }

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();

    SocketBackend(Script script) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(() -> acceptLoop(script));
    }

    /** Echoes every byte back; half-closes back when the client does. */
    static SocketBackend echo() throws IOException {
        return new SocketBackend(socket -> {
            byte[] chunk = new byte[64 * 1024];
            var in = socket.getInputStream();
            var out = socket.getOutputStream();
            for (int n; (n = in.read(chunk)) >= 0; ) {
                out.write(chunk, 0, n);
            }
            socket.shutdownOutput();
        });
    }

    private void acceptLoop(Script script) {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException closed) {
                return;
            }
            accepted.incrementAndGet();
            open.incrementAndGet();
            threads.execute(() -> {
                try (socket) {
                    socket.setSoTimeout(20_000);
                    script.run(socket);
                } catch (Exception e) {
                    failures.add(e);
                } finally {
                    open.decrementAndGet();
                }
            });
        }
    }

    int port() {
        return server.getLocalPort();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
    }

    int accepted() {
        return accepted.get();
    }

    int open() {
        return open.get();
    }

    List<Throwable> failures() {
        return failures;
    }

    @Override
    public void close() throws Exception {
        server.close();
        threads.shutdownNow();
        threads.awaitTermination(10, TimeUnit.SECONDS);
    }
}
