package dev.fulcrum.appliance.http2;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;

/**
 * An h2c client that does what curl does not do on cue: opens stream 1 with a GET, cancels it
 * at once (RST_STREAM CANCEL), then says goodbye (GOAWAY NO_ERROR), all in one write, so the
 * proxy sees the reset before the backend can answer. The frames are spelled out by hand (RFC 9113
 * section 4.1 layout, HPACK static-table indices) to need no HTTP/2 library.
 */
final class CancellingClient {

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(US_ASCII);
    private static final int HEADERS = 0x1;
    private static final int RST_STREAM = 0x3;
    private static final int SETTINGS = 0x4;
    private static final int GOAWAY = 0x7;
    private static final int END_STREAM_AND_HEADERS = 0x1 | 0x4;
    private static final int CANCEL = 0x8;
    private static final int NO_ERROR = 0x0;

    private CancellingClient() {
    }

    /**
     * Sends the request, its reset and the GOAWAY. The connection stays open (the proxy need not
     * close it after a client's GOAWAY): the caller closes it once it has seen what it wanted.
     */
    static Socket cancelOneRequest(int port, String authority) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(PREFACE);
        frame(out, SETTINGS, 0, 0, new byte[0]);
        frame(out, HEADERS, END_STREAM_AND_HEADERS, 1, requestBlock(authority));
        frame(out, RST_STREAM, 0, 1, int32(CANCEL));
        ByteArrayOutputStream goAway = new ByteArrayOutputStream();
        goAway.writeBytes(int32(1));
        goAway.writeBytes(int32(NO_ERROR));
        frame(out, GOAWAY, 0, 0, goAway.toByteArray());
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        try {
            socket.getOutputStream().write(out.toByteArray());
            socket.getOutputStream().flush();
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** GET / over http: indexed :method GET (2), :scheme http (6), :path / (4); :authority literal (name index 1). */
    private static byte[] requestBlock(String authority) {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.write(0x82);
        block.write(0x86);
        block.write(0x84);
        block.write(0x41);
        byte[] value = authority.getBytes(US_ASCII);
        block.write(value.length);
        block.writeBytes(value);
        return block.toByteArray();
    }

    private static void frame(ByteArrayOutputStream out, int type, int flags, int stream, byte[] payload) {
        out.write(payload.length >>> 16);
        out.write(payload.length >>> 8);
        out.write(payload.length);
        out.write(type);
        out.write(flags);
        out.writeBytes(int32(stream));
        out.writeBytes(payload);
    }

    private static byte[] int32(int value) {
        return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    }
}
