package dev.fulcrum.l7;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * An HTTP/2 client with prior knowledge (h2c) on a plain socket, so a test can send any frame,
 * well-formed or not, and see every frame that comes back. Frames are built by hand (9-byte
 * header, payload); header blocks are HPACK written by hand ({@link HeaderBlock}), so names,
 * values and the order of fields are exactly what the test says. Response header blocks are
 * decoded with Netty's decoder, which keeps the server's dynamic table across blocks.
 *
 * <p>It answers the server's SETTINGS with an ACK and grants itself a large window at the
 * start (connection and streams), so bodies flow without WINDOW_UPDATEs. Every wait is bounded
 * ({@link #WAIT}) and fails with what was received when the time is up; writes after the peer
 * closed are dropped (a flood test does not care when exactly the server stopped reading).
 */
final class RawH2Connection implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(5);

    static final int DATA = 0x0;
    static final int HEADERS = 0x1;
    static final int PRIORITY = 0x2;
    static final int RST_STREAM = 0x3;
    static final int SETTINGS = 0x4;
    static final int PING = 0x6;
    static final int GOAWAY = 0x7;
    static final int WINDOW_UPDATE = 0x8;
    static final int CONTINUATION = 0x9;

    static final int END_STREAM = 0x1;
    static final int ACK = 0x1;
    static final int END_HEADERS = 0x4;

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int SETTINGS_ENABLE_PUSH = 0x2;
    private static final int SETTINGS_INITIAL_WINDOW_SIZE = 0x4;
    /** What this client lets the server send before it must wait: far more than any test reads. */
    private static final int OWN_WINDOW = 1 << 30;
    private static final int POLL_MILLIS = 50;

    /** A frame as received. */
    record Frame(int type, int flags, int stream, byte[] payload) {
        @Override
        public String toString() {
            return "type " + type + " flags " + flags + " stream " + stream + " length " + payload.length;
        }
    }

    /** A GOAWAY from the server. */
    record GoAway(int lastStreamId, long errorCode) {
        Http2Error error() {
            return Http2Error.valueOf(errorCode);
        }
    }

    /** How the server refused a stream: a reset of that stream, or a GOAWAY for the whole connection. */
    record Refusal(boolean connection, Http2Error error) {
        static Refusal reset(Http2Error error) {
            return new Refusal(false, error);
        }

        @Override
        public String toString() {
            return (connection ? "GOAWAY " : "RST_STREAM ") + error;
        }
    }

    /** A response: the first non-informational header block, the body, and trailers if any. */
    record Response(int status, Http2Headers headers, String body, Http2Headers trailers) {
    }

    /** What the server did with a stream, as far as it got. */
    static final class StreamState {
        final List<Http2Headers> blocks = new ArrayList<>();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean ended;
        Long resetCode;
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false);
    private final Map<Integer, StreamState> streams = new HashMap<>();
    private final List<Frame> received = new ArrayList<>();
    private final List<GoAway> goAways = new ArrayList<>();
    // Bytes read but not yet a whole frame.
    private byte[] pending = new byte[0];
    // A header block still waiting for its CONTINUATION frames.
    private ByteArrayOutputStream openBlock;
    private int openBlockStream;
    private boolean openBlockEndsStream;
    private boolean closedByPeer;
    private boolean writeFailed;

    /** Connects, sends the preface, SETTINGS and a connection WINDOW_UPDATE. */
    RawH2Connection(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.connect(address, 5_000);
        socket.setSoTimeout(POLL_MILLIS);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
        ByteArrayOutputStream start = new ByteArrayOutputStream();
        start.writeBytes(PREFACE);
        start.writeBytes(frame(SETTINGS, 0, 0, settingsPayload(SETTINGS_ENABLE_PUSH, 0,
                SETTINGS_INITIAL_WINDOW_SIZE, OWN_WINDOW)));
        start.writeBytes(frame(WINDOW_UPDATE, 0, 0, int32(OWN_WINDOW - 65_535)));
        write(start.toByteArray());
    }

    // ---- writing -----------------------------------------------------------------------------

    /** A whole frame: 9-byte header (length, type, flags, stream) and payload. */
    static byte[] frame(int type, int flags, int stream, byte[] payload) {
        byte[] frame = new byte[9 + payload.length];
        frame[0] = (byte) (payload.length >>> 16);
        frame[1] = (byte) (payload.length >>> 8);
        frame[2] = (byte) payload.length;
        frame[3] = (byte) type;
        frame[4] = (byte) flags;
        frame[5] = (byte) (stream >>> 24 & 0x7f);
        frame[6] = (byte) (stream >>> 16);
        frame[7] = (byte) (stream >>> 8);
        frame[8] = (byte) stream;
        System.arraycopy(payload, 0, frame, 9, payload.length);
        return frame;
    }

    static byte[] int32(long value) {
        return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    }

    private static byte[] settingsPayload(int... idsAndValues) {
        byte[] payload = new byte[idsAndValues.length / 2 * 6];
        for (int i = 0; i < idsAndValues.length; i += 2) {
            int at = i / 2 * 6;
            payload[at] = (byte) (idsAndValues[i] >>> 8);
            payload[at + 1] = (byte) idsAndValues[i];
            System.arraycopy(int32(idsAndValues[i + 1]), 0, payload, at + 2, 4);
        }
        return payload;
    }

    /** Bytes as they are, in one write; dropped once the peer has closed. */
    RawH2Connection write(byte[] bytes) {
        if (writeFailed) {
            return this;
        }
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            // The server closed (as a flood test expects); what it sent before is still read.
            writeFailed = true;
        }
        return this;
    }

    RawH2Connection send(int type, int flags, int stream, byte[] payload) {
        return write(frame(type, flags, stream, payload));
    }

    /** One HEADERS frame carrying the whole block. */
    RawH2Connection headers(int stream, HeaderBlock block, boolean endStream) {
        return send(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), stream, block.bytes());
    }

    /** A GET of {@code path} on {@code a.example}, ending the stream. */
    RawH2Connection get(int stream, String path) {
        return headers(stream, HeaderBlock.request("GET", path, "a.example"), true);
    }

    RawH2Connection data(int stream, String text, boolean endStream) {
        return send(DATA, endStream ? END_STREAM : 0, stream, text.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawH2Connection rstStream(int stream, Http2Error error) {
        return send(RST_STREAM, 0, stream, int32(error.code()));
    }

    RawH2Connection windowUpdate(int stream, int increment) {
        return send(WINDOW_UPDATE, 0, stream, int32(increment));
    }

    RawH2Connection ping(long opaque) {
        return send(PING, 0, 0, pingPayload(opaque));
    }

    private static byte[] pingPayload(long opaque) {
        byte[] payload = new byte[8];
        for (int i = 0; i < 8; i++) {
            payload[i] = (byte) (opaque >>> (56 - 8 * i));
        }
        return payload;
    }

    RawH2Connection emptySettings() {
        return send(SETTINGS, 0, 0, new byte[0]);
    }

    // ---- reading -----------------------------------------------------------------------------

    /** Reads what has arrived, for at most {@code millis}; false once the peer has closed. */
    private boolean pump(long millis) {
        if (closedByPeer) {
            return false;
        }
        byte[] buffer = new byte[16 * 1024];
        long end = System.nanoTime() + millis * 1_000_000;
        do {
            int n;
            try {
                n = in.read(buffer);
            } catch (SocketTimeoutException e) {
                continue;
            } catch (IOException e) {
                // A reset after the server closed with our bytes unread: closed all the same.
                closedByPeer = true;
                return false;
            }
            if (n < 0) {
                closedByPeer = true;
                return false;
            }
            append(buffer, n);
            parseFrames();
            return true;
        } while (System.nanoTime() < end);
        return true;
    }

    private void append(byte[] buffer, int n) {
        byte[] joined = new byte[pending.length + n];
        System.arraycopy(pending, 0, joined, 0, pending.length);
        System.arraycopy(buffer, 0, joined, pending.length, n);
        pending = joined;
    }

    private void parseFrames() {
        int at = 0;
        while (pending.length - at >= 9) {
            int length = (pending[at] & 0xff) << 16 | (pending[at + 1] & 0xff) << 8 | pending[at + 2] & 0xff;
            if (pending.length - at < 9 + length) {
                break;
            }
            int stream = (pending[at + 5] & 0x7f) << 24 | (pending[at + 6] & 0xff) << 16
                    | (pending[at + 7] & 0xff) << 8 | pending[at + 8] & 0xff;
            byte[] payload = new byte[length];
            System.arraycopy(pending, at + 9, payload, 0, length);
            onFrame(new Frame(pending[at + 3] & 0xff, pending[at + 4] & 0xff, stream, payload));
            at += 9 + length;
        }
        byte[] rest = new byte[pending.length - at];
        System.arraycopy(pending, at, rest, 0, rest.length);
        pending = rest;
    }

    private void onFrame(Frame frame) {
        received.add(frame);
        switch (frame.type()) {
            case SETTINGS -> {
                if ((frame.flags() & ACK) == 0) {
                    send(SETTINGS, ACK, 0, new byte[0]);
                }
            }
            case HEADERS -> {
                openBlock = new ByteArrayOutputStream();
                openBlockStream = frame.stream();
                openBlockEndsStream = (frame.flags() & END_STREAM) != 0;
                openBlock.writeBytes(frame.payload());
                if ((frame.flags() & END_HEADERS) != 0) {
                    endBlock();
                }
            }
            case CONTINUATION -> {
                openBlock.writeBytes(frame.payload());
                if ((frame.flags() & END_HEADERS) != 0) {
                    endBlock();
                }
            }
            case DATA -> {
                StreamState state = stream(frame.stream());
                state.body.writeBytes(frame.payload());
                state.ended |= (frame.flags() & END_STREAM) != 0;
            }
            case RST_STREAM -> stream(frame.stream()).resetCode = uint32(frame.payload(), 0);
            case GOAWAY -> goAways.add(new GoAway((int) (uint32(frame.payload(), 0) & 0x7fffffff),
                    uint32(frame.payload(), 4)));
            default -> {
                // PING ACKs, WINDOW_UPDATEs: only in the list of frames received.
            }
        }
    }

    private void endBlock() {
        ByteBuf block = Unpooled.wrappedBuffer(openBlock.toByteArray());
        try {
            StreamState state = stream(openBlockStream);
            state.blocks.add(decoder.decodeHeaders(openBlockStream, block));
            state.ended |= openBlockEndsStream;
        } catch (Http2Exception e) {
            throw new IllegalStateException("undecodable header block from the server", e);
        } finally {
            block.release();
            openBlock = null;
        }
    }

    private static long uint32(byte[] bytes, int at) {
        return (bytes[at] & 0xffL) << 24 | (bytes[at + 1] & 0xffL) << 16 | (bytes[at + 2] & 0xffL) << 8
                | bytes[at + 3] & 0xffL;
    }

    private StreamState stream(int id) {
        return streams.computeIfAbsent(id, k -> new StreamState());
    }

    /** Reads until the condition holds or {@link #WAIT} is up; false if the time ran out. */
    private boolean readUntil(BooleanSupplier condition) {
        long end = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            long left = (end - System.nanoTime()) / 1_000_000;
            if (left <= 0 || !pump(Math.min(left, POLL_MILLIS))) {
                return condition.getAsBoolean();
            }
        }
        return true;
    }

    private AssertionError timedOut(String what) {
        return new AssertionError("no " + what + " within " + WAIT + "; received " + received
                + (closedByPeer ? ", then the connection closed" : ""));
    }

    /** The code of the server's RST_STREAM on this stream. */
    Http2Error awaitReset(int stream) {
        if (!readUntil(() -> stream(stream).resetCode != null)) {
            throw timedOut("RST_STREAM on stream " + stream);
        }
        return Http2Error.valueOf(stream(stream).resetCode);
    }

    /** The server's first GOAWAY. */
    GoAway awaitGoAway() {
        if (!readUntil(() -> !goAways.isEmpty())) {
            throw timedOut("GOAWAY");
        }
        return goAways.get(0);
    }

    /** The server's RST_STREAM on this stream or its GOAWAY, whichever comes first. */
    Refusal awaitRefusal(int stream) {
        StreamState state = stream(stream);
        if (!readUntil(() -> state.resetCode != null || !goAways.isEmpty())) {
            throw timedOut("RST_STREAM on stream " + stream + " or GOAWAY");
        }
        return state.resetCode != null ? Refusal.reset(Http2Error.valueOf(state.resetCode))
                : new Refusal(true, goAways.get(0).error());
    }

    /** The whole response on this stream; fails if the stream is reset or the time is up first. */
    Response awaitResponse(int stream) {
        StreamState state = stream(stream);
        if (!readUntil(() -> state.ended || state.resetCode != null || closedByPeer)) {
            throw timedOut("end of the response on stream " + stream);
        }
        if (!state.ended) {
            throw new AssertionError("stream " + stream + " ended without a whole response: reset "
                    + state.resetCode + ", GOAWAY " + goAways + "; received " + received);
        }
        return response(state);
    }

    /** The response head on this stream (the first block with a final status), without waiting for the body. */
    Response awaitResponseHead(int stream) {
        StreamState state = stream(stream);
        if (!readUntil(() -> finalHead(state) != null || state.resetCode != null || closedByPeer)) {
            throw timedOut("response head on stream " + stream);
        }
        if (finalHead(state) == null) {
            throw new AssertionError("no response head on stream " + stream + "; received " + received);
        }
        return response(state);
    }

    private static Http2Headers finalHead(StreamState state) {
        for (Http2Headers block : state.blocks) {
            CharSequence status = block.status();
            if (status != null && status.charAt(0) != '1') {
                return block;
            }
        }
        return null;
    }

    private static Response response(StreamState state) {
        Http2Headers head = finalHead(state);
        int status = head == null ? 0 : Integer.parseInt(head.status().toString());
        Http2Headers last = state.blocks.isEmpty() ? null : state.blocks.get(state.blocks.size() - 1);
        Http2Headers trailers = last != head && last != null && last.status() == null ? last : null;
        return new Response(status, head, state.body.toString(StandardCharsets.ISO_8859_1), trailers);
    }

    /** Whether the server closes the connection within {@link #WAIT}. */
    boolean isClosedByPeer() {
        return readUntil(() -> closedByPeer);
    }

    /** Reads for a short while (a round trip on loopback is far less) and tells whether the connection is still open. */
    boolean staysOpen(Duration quiet) {
        long end = System.nanoTime() + quiet.toNanos();
        while (System.nanoTime() < end) {
            if (!pump(POLL_MILLIS)) {
                return false;
            }
        }
        return !closedByPeer && goAways.isEmpty();
    }

    /** Sends a PING and waits for its ACK: everything the server sent before it has been read. */
    void roundTrip(long opaque) {
        ping(opaque);
        byte[] payload = pingPayload(opaque);
        if (!readUntil(() -> received.stream().anyMatch(f -> f.type() == PING && (f.flags() & ACK) != 0
                && Arrays.equals(f.payload(), payload)))) {
            throw timedOut("PING ACK " + opaque);
        }
    }

    List<GoAway> goAways() {
        return List.copyOf(goAways);
    }

    /** The RST_STREAM code of a stream so far, or null. */
    Http2Error resetOf(int stream) {
        Long code = stream(stream).resetCode;
        return code == null ? null : Http2Error.valueOf(code);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * An HPACK header block written by hand: each field a literal without indexing (name and
     * value as raw strings, nothing checked, order kept), or the representations an HPACK bomb
     * needs (a literal with incremental indexing, then indexed references to it).
     */
    static final class HeaderBlock {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        /** {@code :method}, {@code :scheme http}, {@code :path}, {@code :authority}, in that order. */
        static HeaderBlock request(String method, String path, String authority) {
            return new HeaderBlock().add(":method", method).add(":scheme", "http").add(":path", path)
                    .add(":authority", authority);
        }

        /** A literal field without indexing (RFC 7541 6.2.2), new name. */
        HeaderBlock add(String name, String value) {
            bytes.write(0x00);
            string(name);
            string(value);
            return this;
        }

        /** A literal field with incremental indexing (RFC 7541 6.2.1): it enters the dynamic table. */
        HeaderBlock addIndexing(String name, String value) {
            bytes.write(0x40);
            string(name);
            string(value);
            return this;
        }

        /** An indexed field (RFC 7541 6.1): 1-61 static table, 62 on the dynamic table. */
        HeaderBlock indexed(int index) {
            integer(index, 7, 0x80);
            return this;
        }

        private void string(String s) {
            byte[] raw = s.getBytes(StandardCharsets.ISO_8859_1);
            integer(raw.length, 7, 0x00);
            bytes.writeBytes(raw);
        }

        /** An HPACK integer with an N-bit prefix (RFC 7541 5.1). */
        private void integer(int value, int prefixBits, int firstByteFlags) {
            int max = (1 << prefixBits) - 1;
            if (value < max) {
                bytes.write(firstByteFlags | value);
                return;
            }
            bytes.write(firstByteFlags | max);
            int rest = value - max;
            while (rest >= 0x80) {
                bytes.write(rest & 0x7f | 0x80);
                rest >>>= 7;
            }
            bytes.write(rest);
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }
    }
}
