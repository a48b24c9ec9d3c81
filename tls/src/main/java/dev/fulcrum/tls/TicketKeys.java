package dev.fulcrum.tls;

import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.SslContext;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.util.Collection;

/**
 * Session-ticket keys of one listener: a current key that encrypts new tickets and the previous
 * one that still decrypts tickets issued during the last period. A ticket therefore resumes for
 * one to two rotation periods, and a leaked key exposes at most two periods of sessions.
 *
 * <p>Keys are random, or derived from a shared secret and the number of the period
 * (HMAC-SHA256(secret, period and purpose)): then every node holding the secret, with clocks in
 * step, has the same keys in the same period and resumes the others' sessions, with no
 * coordination between them.
 */
final class TicketKeys {

    private final SecureRandom random = new SecureRandom();
    private final byte[] secret;
    private final long periodMillis;
    private OpenSslSessionTicketKey current;
    private OpenSslSessionTicketKey previous;
    private long rotations;

    /** Random keys. */
    TicketKeys() {
        this(null, 0);
    }

    /**
     * @param secret the shared secret, or null for random keys
     * @param periodMillis the rotation period (derived keys change at multiples of it since the epoch)
     */
    TicketKeys(byte[] secret, long periodMillis) {
        this.secret = secret == null ? null : secret.clone();
        this.periodMillis = periodMillis;
        if (this.secret != null) {
            long period = currentPeriod(System.currentTimeMillis());
            current = derived(period);
            previous = derived(period - 1);
        } else {
            current = fresh();
        }
    }

    boolean derived() {
        return secret != null;
    }

    /** Milliseconds from {@code nowMillis} to the start of the next period (derived keys). */
    long millisToNextPeriod(long nowMillis) {
        return periodMillis - Math.floorMod(nowMillis, periodMillis);
    }

    private long currentPeriod(long nowMillis) {
        return Math.floorDiv(nowMillis, periodMillis);
    }

    /** Makes a new current key and demotes the current one to previous. */
    synchronized void rotate() {
        if (secret != null) {
            long period = currentPeriod(System.currentTimeMillis());
            current = derived(period);
            previous = derived(period - 1);
        } else {
            previous = current;
            current = fresh();
        }
        rotations++;
    }

    /** The keys of a period, from the secret: the same on every node that has it. */
    OpenSslSessionTicketKey derived(long period) {
        return new OpenSslSessionTicketKey(part(period, "name", OpenSslSessionTicketKey.NAME_SIZE),
                part(period, "hmac", OpenSslSessionTicketKey.HMAC_KEY_SIZE),
                part(period, "aes", OpenSslSessionTicketKey.AES_KEY_SIZE));
    }

    private byte[] part(long period, String purpose, int size) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            byte[] out = mac.doFinal(("fulcrum session ticket|" + period + "|" + purpose)
                    .getBytes(StandardCharsets.UTF_8));
            return Arrays.copyOf(out, size);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    synchronized long rotations() {
        return rotations;
    }

    /** Current first: OpenSSL encrypts with the first key and decrypts with any that matches. */
    synchronized OpenSslSessionTicketKey[] keys() {
        return previous == null
                ? new OpenSslSessionTicketKey[] {current}
                : new OpenSslSessionTicketKey[] {current, previous};
    }

    /** Installs the keys in every OpenSSL context (this also turns tickets on; Netty's default is off). */
    void applyTo(Collection<SslContext> contexts) {
        OpenSslSessionTicketKey[] keys = keys();
        for (SslContext context : contexts) {
            if (context.sessionContext() instanceof OpenSslSessionContext) {
                ((OpenSslSessionContext) context.sessionContext()).setTicketKeys(keys);
            }
        }
    }

    private OpenSslSessionTicketKey fresh() {
        byte[] name = new byte[OpenSslSessionTicketKey.NAME_SIZE];
        byte[] hmacKey = new byte[OpenSslSessionTicketKey.HMAC_KEY_SIZE];
        byte[] aesKey = new byte[OpenSslSessionTicketKey.AES_KEY_SIZE];
        random.nextBytes(name);
        random.nextBytes(hmacKey);
        random.nextBytes(aesKey);
        return new OpenSslSessionTicketKey(name, hmacKey, aesKey);
    }
}
