package dev.fulcrum.bench;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A bounded test client for the memory measurement: opens {@code count} connections to one
 * address, sends one GET on each and reads its whole response, then keeps them all open and idle
 * for {@code hold} seconds (or until killed) and closes them.
 *
 * <pre>java -cp benchmarks.jar dev.fulcrum.bench.IdleConnections [--h2c] HOST PORT COUNT HOLD_SECONDS</pre>
 *
 * Without {@code --h2c} the connections are HTTP/1.1 keep-alive ones. With it they are HTTP/2
 * with prior knowledge (h2c): the preface, an empty SETTINGS frame and one HEADERS frame (stream
 * 1, END_STREAM); the server's SETTINGS are acknowledged and its PINGs answered until stream 1
 * has ended, with a 200.
 *
 * Prints {@code READY n} once every connection has had its answer, {@code CLOSED} at the end.
 * Every socket read has a timeout, and the whole opening phase is bounded by {@code hold} too.
 */
public final class IdleConnections {

    private static final int READ_TIMEOUT_MS = 5000;

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int DATA = 0;
    private static final int HEADERS = 1;
    private static final int RST_STREAM = 3;
    private static final int SETTINGS = 4;
    private static final int PUSH_PROMISE = 5;
    private static final int PING = 6;
    private static final int GOAWAY = 7;
    private static final int FLAG_ACK = 0x1;
    private static final int FLAG_END_STREAM = 0x1;
    private static final int FLAG_PADDED = 0x8;
    private static final int FLAG_PRIORITY = 0x20;
    private static final int MAX_FRAME = 16384;

    private IdleConnections() {
    }

    public static void main(String[] args) throws Exception {
        boolean h2c = args.length > 0 && args[0].equals("--h2c");
        int first = h2c ? 1 : 0;
        if (args.length - first != 4) {
            System.err.println("usage: IdleConnections [--h2c] HOST PORT COUNT HOLD_SECONDS");
            System.exit(2);
        }
        String host = args[first];
        InetSocketAddress address = new InetSocketAddress(host, Integer.parseInt(args[first + 1]));
        int count = Integer.parseInt(args[first + 2]);
        long holdNanos = Long.parseLong(args[first + 3]) * 1_000_000_000L;
        long deadline = System.nanoTime() + holdNanos;
        byte[] request = h2c ? h2cRequest(host)
                : ("GET / HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: fulcrum-idle-connections\r\n\r\n")
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
                InputStream in = new BufferedInputStream(socket.getInputStream());
                if (h2c) {
                    readH2cResponse(new DataInputStream(in), socket.getOutputStream(), deadline);
                } else {
                    readResponse(in);
                }
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

    /**
     * The client's whole opening: the preface, an empty SETTINGS frame (the defaults) and the
     * request on stream 1 as one HEADERS frame with END_STREAM and END_HEADERS. The header block
     * is HPACK without Huffman coding or the dynamic table: {@code :method GET}, {@code :scheme
     * http} and {@code :path /} from the static table, {@code :authority} and {@code user-agent}
     * as literals without indexing on static-table names.
     */
    static byte[] h2cRequest(String authority) {
        ByteBuffer block = ByteBuffer.allocate(256);
        block.put((byte) 0x82); // :method GET (static 2)
        block.put((byte) 0x86); // :scheme http (static 6)
        block.put((byte) 0x84); // :path / (static 4)
        block.put((byte) 0x01); // literal without indexing, name :authority (static 1)
        literal(block, authority);
        block.put((byte) 0x0f).put((byte) (58 - 15)); // the same, name user-agent (static 58)
        literal(block, "fulcrum-idle-connections");
        ByteBuffer out = ByteBuffer.allocate(PREFACE.length + 9 + 9 + block.position());
        out.put(PREFACE);
        frameHeader(out, 0, SETTINGS, 0, 0);
        frameHeader(out, block.position(), HEADERS, 0x1 | 0x4, 1); // END_STREAM, END_HEADERS
        out.put(block.array(), 0, block.position());
        return out.array();
    }

    private static void literal(ByteBuffer block, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length > 126) {
            throw new IllegalArgumentException("too long for this encoder: " + value);
        }
        block.put((byte) bytes.length).put(bytes);
    }

    private static void frameHeader(ByteBuffer out, int length, int type, int flags, int stream) {
        out.put((byte) (length >>> 16)).put((byte) (length >>> 8)).put((byte) length);
        out.put((byte) type).put((byte) flags).putInt(stream);
    }

    /**
     * Reads frames until stream 1 ends: its first HEADERS must say {@code :status 200}, which
     * the servers measured here encode as the static table's entry 8 (one byte, 0x88), possibly
     * after dynamic table size updates. SETTINGS are acknowledged, PINGs answered; a reset of
     * stream 1, a GOAWAY or a PUSH_PROMISE fails the connection.
     */
    private static void readH2cResponse(DataInputStream in, OutputStream out, long deadline) throws IOException {
        boolean headers = false;
        byte[] payload = new byte[MAX_FRAME];
        while (true) {
            if (System.nanoTime() > deadline) {
                throw new IOException("no complete answer in time");
            }
            int length = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
            int type = in.readUnsignedByte();
            int flags = in.readUnsignedByte();
            int stream = in.readInt() & 0x7fffffff;
            if (length > MAX_FRAME) {
                throw new IOException("frame of " + length + " bytes, above the default SETTINGS_MAX_FRAME_SIZE");
            }
            in.readFully(payload, 0, length);
            switch (type) {
                case SETTINGS -> {
                    if ((flags & FLAG_ACK) == 0) {
                        ByteBuffer ack = ByteBuffer.allocate(9);
                        frameHeader(ack, 0, SETTINGS, FLAG_ACK, 0);
                        out.write(ack.array());
                    }
                }
                case PING -> {
                    if ((flags & FLAG_ACK) == 0) {
                        ByteBuffer pong = ByteBuffer.allocate(9 + length);
                        frameHeader(pong, length, PING, FLAG_ACK, 0);
                        pong.put(payload, 0, length);
                        out.write(pong.array());
                    }
                }
                case GOAWAY -> throw new IOException("GOAWAY from the server, error code "
                        + (length >= 8 ? ByteBuffer.wrap(payload, 4, 4).getInt() : -1));
                case RST_STREAM -> throw new IOException("stream " + stream + " reset, error code "
                        + (length >= 4 ? ByteBuffer.wrap(payload, 0, 4).getInt() : -1));
                case PUSH_PROMISE -> throw new IOException("PUSH_PROMISE, though SETTINGS_ENABLE_PUSH is not sent");
                case HEADERS -> {
                    if (stream == 1 && !headers) {
                        headers = true;
                        int at = (flags & FLAG_PADDED) != 0 ? 1 : 0;
                        if ((flags & FLAG_PRIORITY) != 0) {
                            at += 5;
                        }
                        while (at < length && (payload[at] & 0xe0) == 0x20) {
                            at++; // a dynamic table size update (small ones only: one byte)
                        }
                        if (at >= length || (payload[at] & 0xff) != 0x88) {
                            throw new IOException("unexpected response: the header block does not start with"
                                    + " :status 200 (byte " + (at < length ? payload[at] & 0xff : -1) + ")");
                        }
                    }
                    if (stream == 1 && (flags & FLAG_END_STREAM) != 0) {
                        return;
                    }
                }
                case DATA -> {
                    if (stream == 1 && (flags & FLAG_END_STREAM) != 0) {
                        if (!headers) {
                            throw new IOException("stream 1 ended without a response head");
                        }
                        return;
                    }
                }
                default -> {
                    // WINDOW_UPDATE, PRIORITY, CONTINUATION (not sent for a small head), unknown types
                }
            }
        }
    }
}
