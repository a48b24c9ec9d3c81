package dev.fulcrum.health;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.time.Duration;

/**
 * The pieces of gRPC's wire format a grpc.health.v1 check needs, written and read by hand: two
 * one-field protobuf messages do not justify a protobuf runtime. A message travels as one
 * compressed-flag byte, a 4-byte big-endian length and the protobuf bytes.
 */
final class GrpcWire {

    static final String CHECK_PATH = "/grpc.health.v1.Health/Check";
    static final int PREFIX = 5;
    /** The largest response message read; a health answer is a few bytes. */
    static final int MAX_MESSAGE = 64 * 1024;
    /** {@code HealthCheckResponse.ServingStatus.SERVING}. */
    static final int SERVING = 1;

    private static final int VARINT = 0;
    private static final int FIXED64 = 1;
    private static final int LENGTH_DELIMITED = 2;
    private static final int START_GROUP = 3;
    private static final int END_GROUP = 4;
    private static final int FIXED32 = 5;
    /** Nested groups skipped at most, as protobuf bounds recursion. */
    private static final int MAX_DEPTH = 16;
    /** grpc-timeout values have at most 8 digits. */
    private static final long MAX_TIMEOUT_VALUE = 99_999_999L;

    private static final String[] SERVING_STATUS = {"UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"};
    private static final String[] STATUS_CODES = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT",
        "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
        "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
        "UNAUTHENTICATED"};

    /** A response message that is not a HealthCheckResponse. */
    static final class MalformedMessage extends RuntimeException {
        MalformedMessage(String message) {
            super(message, null, false, false);
        }
    }

    private GrpcWire() {
    }

    /**
     * {@code HealthCheckRequest { string service = 1; }}, length-prefixed. An empty service is
     * the field's default, which proto3 leaves out: a zero-length message.
     */
    static ByteBuf request(ByteBufAllocator alloc, String service) {
        byte[] name = service.getBytes(UTF_8);
        int length = name.length == 0 ? 0 : 1 + varintSize(name.length) + name.length;
        ByteBuf out = alloc.buffer(PREFIX + length);
        out.writeByte(0).writeInt(length);
        if (name.length > 0) {
            out.writeByte(1 << 3 | LENGTH_DELIMITED);
            writeVarint(out, name.length);
            out.writeBytes(name);
        }
        return out;
    }

    /**
     * The {@code status} of {@code HealthCheckResponse { ServingStatus status = 1; }}: 0 (UNKNOWN)
     * when absent, the last one when repeated, unknown fields skipped, as protobuf reads it.
     */
    static int servingStatus(ByteBuf message) {
        int status = 0;
        while (message.isReadable()) {
            long key = readVarint(message);
            int field = field(key);
            int wireType = (int) (key & 7);
            if (field == 1 && wireType == VARINT) {
                status = (int) readVarint(message);
            } else {
                skip(message, field, wireType, 0);
            }
        }
        return status;
    }

    private static int field(long key) {
        long field = key >>> 3;
        if (field == 0 || field > Integer.MAX_VALUE) {
            throw new MalformedMessage("invalid field number " + field);
        }
        return (int) field;
    }

    private static void skip(ByteBuf in, int field, int wireType, int depth) {
        switch (wireType) {
            case VARINT -> readVarint(in);
            case FIXED64 -> skipBytes(in, 8);
            case LENGTH_DELIMITED -> {
                long length = readVarint(in);
                skipBytes(in, length < 0 || length > Integer.MAX_VALUE ? -1 : (int) length);
            }
            case FIXED32 -> skipBytes(in, 4);
            case START_GROUP -> skipGroup(in, field, depth + 1);
            default -> throw new MalformedMessage("unexpected wire type " + wireType + " of field " + field);
        }
    }

    private static void skipGroup(ByteBuf in, int field, int depth) {
        if (depth > MAX_DEPTH) {
            throw new MalformedMessage("groups nested deeper than " + MAX_DEPTH);
        }
        while (in.isReadable()) {
            long key = readVarint(in);
            int inner = field(key);
            int wireType = (int) (key & 7);
            if (wireType == END_GROUP) {
                if (inner != field) {
                    throw new MalformedMessage("group " + field + " ended as " + inner);
                }
                return;
            }
            skip(in, inner, wireType, depth);
        }
        throw new MalformedMessage("group " + field + " not ended");
    }

    private static void skipBytes(ByteBuf in, int length) {
        if (length < 0 || length > in.readableBytes()) {
            throw new MalformedMessage("truncated");
        }
        in.skipBytes(length);
    }

    private static long readVarint(ByteBuf in) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (!in.isReadable()) {
                throw new MalformedMessage("truncated");
            }
            byte b = in.readByte();
            value |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw new MalformedMessage("varint longer than 10 bytes");
    }

    private static void writeVarint(ByteBuf out, int value) {
        int v = value;
        while ((v & ~0x7F) != 0) {
            out.writeByte(v & 0x7F | 0x80);
            v >>>= 7;
        }
        out.writeByte(v);
    }

    private static int varintSize(int value) {
        int size = 1;
        for (int v = value >>> 7; v != 0; v >>>= 7) {
            size++;
        }
        return size;
    }

    /** {@code SERVING}, {@code NOT_SERVING}, ...; a value this protocol does not define as a number. */
    static String servingStatusName(int status) {
        return status >= 0 && status < SERVING_STATUS.length ? SERVING_STATUS[status] : String.valueOf(status);
    }

    /** {@code 5 NOT_FOUND}: the code and, if gRPC defines it, its name. */
    static String statusCode(int code) {
        return code >= 0 && code < STATUS_CODES.length ? code + " " + STATUS_CODES[code] : String.valueOf(code);
    }

    /**
     * A {@code grpc-message} as sent: percent-encoded UTF-8. A '%' not followed by two hex
     * digits stays as it is, as gRPC's own clients read it.
     */
    static String decodeMessage(CharSequence encoded) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '%' && i + 2 < encoded.length() && hex(encoded.charAt(i + 1)) >= 0
                    && hex(encoded.charAt(i + 2)) >= 0) {
                bytes.write(hex(encoded.charAt(i + 1)) << 4 | hex(encoded.charAt(i + 2)));
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        return bytes.toString(UTF_8);
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }

    /** {@code grpc-timeout} for a check's timeout: milliseconds, or seconds beyond 8 digits of them. */
    static String timeout(Duration timeout) {
        long millis = Math.max(1, timeout.toMillis());
        if (millis <= MAX_TIMEOUT_VALUE) {
            return millis + "m";
        }
        return Math.min(MAX_TIMEOUT_VALUE, timeout.toSeconds()) + "S";
    }
}
