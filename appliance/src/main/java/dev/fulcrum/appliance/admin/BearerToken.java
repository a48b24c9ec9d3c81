package dev.fulcrum.appliance.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** The token mutating admin calls must present ({@code Authorization: Bearer ...}). */
public final class BearerToken {

    private final byte[] token;

    private BearerToken(byte[] token) {
        this.token = token;
    }

    /** @param token the file's content, trimmed; null or empty: no token, mutating calls are refused */
    public static BearerToken of(String token) {
        return token == null || token.isBlank() ? null
                : new BearerToken(token.strip().getBytes(StandardCharsets.UTF_8));
    }

    /** Compares in constant time, so the answer's timing tells nothing about the token. */
    boolean accepts(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] presented = authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(presented, token);
    }
}
