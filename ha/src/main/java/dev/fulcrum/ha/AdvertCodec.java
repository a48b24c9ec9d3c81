package dev.fulcrum.ha;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Adverts on the wire: {@code "FLHA" version state priority sequence timestamp nameLength name}
 * followed by HMAC-SHA256 over all of it with the pair's shared secret. Decoding refuses, with a
 * reason, anything unsigned or forged, replayed (a sequence not above the last one seen from that
 * node), stale or from the future (beyond the allowed clock skew), or malformed. One instance
 * per receiving socket: it remembers each peer's last sequence. Not thread-safe.
 */
public final class AdvertCodec {

    /** Why an advert was refused: the label of {@code fulcrum_ha_adverts_rejected_total}. */
    public enum Rejection { MALFORMED, BAD_SIGNATURE, REPLAYED, STALE, OWN }

    /** The result of decoding: an advert, or why there is none. */
    public record Decoded(Advert advert, Rejection rejection) {
    }

    private static final byte[] MAGIC = "FLHA".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    private static final int MAC_BYTES = 32;
    private static final int MAX_NAME = 64;

    private final SecretKeySpec key;
    private final String self;
    private final long maxSkewMillis;
    private final Map<String, Long> lastSequence = new HashMap<>();

    /**
     * @param self this node's name: its own adverts (looped back) are refused
     * @param maxSkewMillis how far an advert's timestamp may be from the receiver's clock
     */
    public AdvertCodec(byte[] secret, String self, long maxSkewMillis) {
        this.key = new SecretKeySpec(secret.clone(), "HmacSHA256");
        this.self = self;
        this.maxSkewMillis = maxSkewMillis;
    }

    public byte[] encode(Advert advert) {
        byte[] name = advert.node().getBytes(StandardCharsets.UTF_8);
        ByteBuffer body = ByteBuffer.allocate(MAGIC.length + 1 + 1 + 1 + 8 + 8 + 1 + name.length);
        body.put(MAGIC).put((byte) VERSION).put((byte) advert.state().ordinal()).put((byte) advert.priority())
                .putLong(advert.sequence()).putLong(advert.timestampMillis()).put((byte) name.length).put(name);
        byte[] signed = body.array();
        byte[] mac = mac(signed, signed.length);
        byte[] out = Arrays.copyOf(signed, signed.length + MAC_BYTES);
        System.arraycopy(mac, 0, out, signed.length, MAC_BYTES);
        return out;
    }

    public Decoded decode(byte[] packet, long nowMillis) {
        if (packet.length < MAGIC.length + 21 + MAC_BYTES || packet.length > MAGIC.length + 21 + MAX_NAME + MAC_BYTES
                || !Arrays.equals(packet, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            return rejected(Rejection.MALFORMED);
        }
        int signedLength = packet.length - MAC_BYTES;
        byte[] expected = mac(packet, signedLength);
        if (!MessageDigest.isEqual(expected, Arrays.copyOfRange(packet, signedLength, packet.length))) {
            return rejected(Rejection.BAD_SIGNATURE);
        }
        Advert advert;
        try {
            ByteBuffer in = ByteBuffer.wrap(packet, MAGIC.length, signedLength - MAGIC.length);
            int version = in.get();
            int state = in.get();
            int priority = in.get() & 0xff;
            long sequence = in.getLong();
            long timestamp = in.getLong();
            int nameLength = in.get() & 0xff;
            if (version != VERSION || state < 0 || state >= HaState.values().length || nameLength == 0
                    || nameLength != in.remaining()) {
                return rejected(Rejection.MALFORMED);
            }
            byte[] name = new byte[nameLength];
            in.get(name);
            advert = new Advert(new String(name, StandardCharsets.UTF_8), priority, HaState.values()[state],
                    sequence, timestamp);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            return rejected(Rejection.MALFORMED);
        }
        if (advert.node().equals(self)) {
            return rejected(Rejection.OWN);
        }
        if (Math.abs(nowMillis - advert.timestampMillis()) > maxSkewMillis) {
            return rejected(Rejection.STALE);
        }
        Long last = lastSequence.get(advert.node());
        if (last != null && advert.sequence() <= last) {
            return rejected(Rejection.REPLAYED);
        }
        lastSequence.put(advert.node(), advert.sequence());
        return new Decoded(advert, null);
    }

    private static Decoded rejected(Rejection why) {
        return new Decoded(null, why);
    }

    private byte[] mac(byte[] data, int length) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(data, 0, length);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
