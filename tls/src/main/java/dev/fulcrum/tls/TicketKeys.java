package dev.fulcrum.tls;

import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.SslContext;
import java.security.SecureRandom;
import java.util.Collection;

/**
 * Session-ticket keys of one listener: a current key that encrypts new tickets and the previous
 * one that still decrypts tickets issued during the last period. A ticket therefore resumes for
 * one to two rotation periods, and a leaked key exposes at most two periods of sessions.
 */
final class TicketKeys {

    private final SecureRandom random = new SecureRandom();
    private OpenSslSessionTicketKey current = fresh();
    private OpenSslSessionTicketKey previous;
    private long rotations;

    /** Makes a new current key and demotes the current one to previous. */
    synchronized void rotate() {
        previous = current;
        current = fresh();
        rotations++;
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
