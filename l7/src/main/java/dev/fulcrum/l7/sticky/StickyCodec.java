package dev.fulcrum.l7.sticky;

import dev.fulcrum.lbcore.pool.Pool;
import dev.fulcrum.lbcore.pool.Server;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * What a sticky cookie says and how it is checked: {@code TOKEN.EXPIRY.MAC}, where TOKEN names
 * the server opaquely (a keyed hash of pool and server name: no address, stable across reloads
 * and nodes sharing the key), EXPIRY is epoch seconds (0: none) and MAC authenticates both, and
 * in prefix mode the application's cookie value too. A value that does not check out is
 * treated as no cookie at all.
 */
final class StickyCodec {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final int TOKEN_BYTES = 9;
    private static final int MAC_BYTES = 16;

    private final String pool;
    private final StickyKey key;
    private final Map<Server, String> tokens = new HashMap<>();
    private final Map<String, Server> servers = new HashMap<>();

    StickyCodec(Pool pool, StickyKey key) {
        this.pool = pool.name();
        this.key = key;
        for (Server server : pool.servers()) {
            String token = B64.encodeToString(Arrays.copyOf(key.sign("server|" + this.pool + "|" + server.name()),
                    TOKEN_BYTES));
            tokens.put(server, token);
            servers.put(token, server);
        }
    }

    /**
     * @param expiry epoch seconds, 0 for none
     * @param bound prefix mode: the application's value the pin belongs to; insert mode: ""
     */
    String encode(Server server, long expiry, String bound) {
        String token = tokens.get(server);
        return token + "." + expiry + "." + mac(token, expiry, bound);
    }

    /** A checked pin: its server and expiry (epoch seconds, 0: none). */
    record Pin(Server server, long expiry) {
    }

    /**
     * @return the pin, or null when the value is malformed, forged, tampered with, expired, or
     *     names a server this pool no longer has
     */
    Pin decode(String value, String bound, long nowSeconds) {
        int first = value.indexOf('.');
        int second = first < 0 ? -1 : value.indexOf('.', first + 1);
        if (first <= 0 || second <= first + 1 || second == value.length() - 1) {
            return null;
        }
        String token = value.substring(0, first);
        long expiry;
        try {
            expiry = Long.parseLong(value, first + 1, second, 10);
        } catch (NumberFormatException e) {
            return null;
        }
        if (expiry < 0 || expiry != 0 && expiry < nowSeconds) {
            return null;
        }
        byte[] given = value.substring(second + 1).getBytes(StandardCharsets.US_ASCII);
        byte[] expected = mac(token, expiry, bound).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(given, expected)) {
            return null;
        }
        Server server = servers.get(token);
        return server == null ? null : new Pin(server, expiry);
    }

    private String mac(String token, long expiry, String bound) {
        return B64.encodeToString(Arrays.copyOf(key.sign("pin|" + pool + "|" + token + "|" + expiry + "|" + bound),
                MAC_BYTES));
    }
}
