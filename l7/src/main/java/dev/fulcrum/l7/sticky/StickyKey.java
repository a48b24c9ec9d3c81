package dev.fulcrum.l7.sticky;

import io.netty.util.concurrent.FastThreadLocal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The HMAC-SHA256 key that authenticates sticky cookies. From a file (share it between the
 * nodes of a pair), else random for this process. Macs are reused per thread: making one per
 * request would cost more than the HMAC itself.
 *
 * <p>One {@link FastThreadLocal} serves every key: its index is never given back, so one per
 * key (a key is loaded again on every reload) would grow every thread's table for good. Each
 * thread keeps a few Macs, each initialised with one key, and matches them by key.
 */
final class StickyKey {

    private static final String ALGORITHM = "HmacSHA256";

    private static final FastThreadLocal<ThreadMacs> MACS = new FastThreadLocal<>() {
        @Override
        protected ThreadMacs initialValue() {
            return new ThreadMacs();
        }
    };

    private final SecretKeySpec key;

    private StickyKey(byte[] secret) {
        this.key = new SecretKeySpec(secret, ALGORITHM);
        Arrays.fill(secret, (byte) 0);
    }

    /**
     * One thread's Macs, by key: a few slots, as few keys are in use at once (one per pool at
     * most, usually one). A key equal to a slot's (the same file read again on reload) takes it
     * over without initialising again; a new key replaces the slots in turn.
     */
    private static final class ThreadMacs {
        private static final int SLOTS = 4;
        private final SecretKeySpec[] keys = new SecretKeySpec[SLOTS];
        private final Mac[] macs = new Mac[SLOTS];
        private int next;

        Mac forKey(SecretKeySpec key) {
            for (int i = 0; i < SLOTS; i++) {
                if (keys[i] == key) {
                    return macs[i];
                }
            }
            for (int i = 0; i < SLOTS; i++) {
                if (key.equals(keys[i])) {
                    keys[i] = key;
                    return macs[i];
                }
            }
            int slot = next;
            next = (next + 1) % SLOTS;
            try {
                Mac mac = macs[slot] != null ? macs[slot] : Mac.getInstance(ALGORITHM);
                mac.init(key);
                macs[slot] = mac;
                keys[slot] = key;
                return mac;
            } catch (GeneralSecurityException e) {
                keys[slot] = null;
                macs[slot] = null;
                throw new IllegalStateException("cannot initialise " + ALGORITHM, e);
            }
        }
    }

    /** Made once: a reload must not invalidate the pins of a process without a key file. */
    private static final class ProcessKey {
        static final StickyKey INSTANCE = random();

        private static StickyKey random() {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            return new StickyKey(random);
        }
    }

    /** Reads the key file (its text, surrounding whitespace removed), or this process's random key. */
    static StickyKey load(Optional<Path> file) {
        if (file.isEmpty()) {
            return ProcessKey.INSTANCE;
        }
        try {
            return new StickyKey(Files.readString(file.get(), StandardCharsets.UTF_8).strip()
                    .getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read sticky key file " + file.get(), e);
        }
    }

    /** HMAC-SHA256 of the text, on this thread's Mac. */
    byte[] sign(String text) {
        Mac mac = MACS.get().forKey(key);
        return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    }
}
