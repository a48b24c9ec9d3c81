package dev.fulcrum.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthCheckResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The hand-written wire format against protobuf's own encoder and parser. */
class GrpcWireTest {

    private static HealthCheckRequest parsedRequest(String service) throws Exception {
        ByteBuf framed = GrpcWire.request(ByteBufAllocator.DEFAULT, service);
        try {
            assertThat(framed.readByte()).as("not compressed").isZero();
            assertThat(framed.readInt()).isEqualTo(framed.readableBytes());
            return HealthCheckRequest.parseFrom(ByteBufUtil.getBytes(framed));
        } finally {
            framed.release();
        }
    }

    private static int status(byte[] message) {
        ByteBuf buf = Unpooled.wrappedBuffer(message);
        try {
            return GrpcWire.servingStatus(buf);
        } finally {
            buf.release();
        }
    }

    @Test
    void theRequestIsWhatProtobufReads() throws Exception {
        assertThat(parsedRequest("").getService()).isEmpty();
        assertThat(parsedRequest("billing.v1.Ledger").getService()).isEqualTo("billing.v1.Ledger");
        String long200 = "s".repeat(200) + "é";
        assertThat(parsedRequest(long200).getService()).as("a two-byte length, UTF-8").isEqualTo(long200);
    }

    @Test
    void anEmptyServiceIsAZeroLengthMessage() {
        ByteBuf framed = GrpcWire.request(ByteBufAllocator.DEFAULT, "");
        try {
            assertThat(ByteBufUtil.getBytes(framed)).containsExactly(0, 0, 0, 0, 0);
        } finally {
            framed.release();
        }
    }

    @Test
    void theStatusIsReadAsProtobufWritesIt() {
        for (ServingStatus s : new ServingStatus[] {ServingStatus.SERVING, ServingStatus.NOT_SERVING,
            ServingStatus.SERVICE_UNKNOWN}) {
            assertThat(status(HealthCheckResponse.newBuilder().setStatus(s).build().toByteArray()))
                    .isEqualTo(s.getNumber());
        }
        assertThat(status(new byte[0])).as("absent: UNKNOWN").isZero();
        assertThat(status(new byte[] {0x08, 0x02, 0x08, 0x01})).as("the last one counts").isEqualTo(1);
        assertThat(status(new byte[] {0x08, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F}))
                .as("an enum value this protocol does not know").isEqualTo(-1);
    }

    @Test
    void unknownFieldsOfEveryWireTypeAreSkipped() {
        UnknownFieldSet group = UnknownFieldSet.newBuilder()
                .addField(1, UnknownFieldSet.Field.newBuilder().addVarint(2).build())
                .addField(4, UnknownFieldSet.Field.newBuilder().addGroup(UnknownFieldSet.newBuilder()
                        .addField(3, UnknownFieldSet.Field.newBuilder().addFixed32(7).build()).build()).build())
                .build();
        UnknownFieldSet unknown = UnknownFieldSet.newBuilder()
                .addField(2, UnknownFieldSet.Field.newBuilder().addVarint(300).build())
                .addField(3, UnknownFieldSet.Field.newBuilder().addFixed32(1).build())
                .addField(4, UnknownFieldSet.Field.newBuilder().addFixed64(2).build())
                .addField(5, UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8("x".repeat(300)))
                        .build())
                .addField(6, UnknownFieldSet.Field.newBuilder().addGroup(group).build())
                .addField(1000, UnknownFieldSet.Field.newBuilder().addVarint(1).build())
                .build();
        byte[] message = HealthCheckResponse.newBuilder().setStatus(ServingStatus.SERVING).setUnknownFields(unknown)
                .build().toByteArray();
        assertThat(status(message)).isEqualTo(GrpcWire.SERVING);
        // Field 1 with another wire type is an unknown field too, as protobuf reads it.
        assertThat(status(new byte[] {0x0D, 1, 0, 0, 0, 0x08, 0x02})).isEqualTo(2);
    }

    @Test
    void malformedMessagesAreRefused() {
        assertThatThrownBy(() -> status(new byte[] {0x08})).hasMessage("truncated");
        assertThatThrownBy(() -> status(new byte[] {0x12, 0x05, 'a'})).hasMessage("truncated");
        assertThatThrownBy(() -> status(new byte[] {0x08, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80,
            (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01}))
                .hasMessage("varint longer than 10 bytes");
        assertThatThrownBy(() -> status(new byte[] {0x00, 0x01})).hasMessage("invalid field number 0");
        assertThatThrownBy(() -> status(new byte[] {0x0E})).hasMessage("unexpected wire type 6 of field 1");
        assertThatThrownBy(() -> status(new byte[] {0x1B, 0x08, 0x01})).hasMessage("group 3 not ended");
        assertThatThrownBy(() -> status(new byte[] {0x1B, 0x24})).hasMessage("group 3 ended as 4");
        byte[] deep = new byte[40];
        java.util.Arrays.fill(deep, (byte) 0x1B);
        assertThatThrownBy(() -> status(deep)).hasMessage("groups nested deeper than 16");
    }

    @Test
    void namesAndMessagesReadAsGrpcDefinesThem() {
        assertThat(GrpcWire.statusCode(5)).isEqualTo("5 NOT_FOUND");
        assertThat(GrpcWire.statusCode(16)).isEqualTo("16 UNAUTHENTICATED");
        assertThat(GrpcWire.statusCode(42)).isEqualTo("42");
        assertThat(GrpcWire.servingStatusName(2)).isEqualTo("NOT_SERVING");
        assertThat(GrpcWire.servingStatusName(9)).isEqualTo("9");
        assertThat(GrpcWire.decodeMessage("unknown service")).isEqualTo("unknown service");
        assertThat(GrpcWire.decodeMessage("caf%C3%A9 100%25 %zz%4")).isEqualTo("café 100% %zz%4");
    }

    @Test
    void theDeadlineIsTheCheckTimeout() {
        assertThat(GrpcWire.timeout(Duration.ofMillis(900))).isEqualTo("900m");
        assertThat(GrpcWire.timeout(Duration.ofSeconds(1))).isEqualTo("1000m");
        assertThat(GrpcWire.timeout(Duration.ofNanos(1))).isEqualTo("1m");
        assertThat(GrpcWire.timeout(Duration.ofHours(30))).as("beyond 8 digits of milliseconds").isEqualTo("108000S");
    }
}
