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
 * nodes of a pair), else random for this process. One {@link Mac} per thread, reused: making
 * one per request would cost more than the HMAC itself.
 */
final class StickyKey {

    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;
    private final FastThreadLocal<Mac> macs = new FastThreadLocal<>() {
        @Override
        protected Mac initialValue() throws GeneralSecurityException {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        }
    };

    private StickyKey(byte[] secret) {
        this.key = new SecretKeySpec(secret, ALGORITHM);
        Arrays.fill(secret, (byte) 0);
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
        Mac mac = macs.get();
        return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    }
}
