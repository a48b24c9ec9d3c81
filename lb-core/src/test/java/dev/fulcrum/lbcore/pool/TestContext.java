package dev.fulcrum.lbcore.pool;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Locale;
import java.util.Map;

/** A request as a balancer sees it: a client, headers (names lower case) and cookies. */
record TestContext(SocketAddress client, Map<String, String> headers, Map<String, String> cookies)
        implements BalancingContext {

    static TestContext client(String ip, int port) {
        return new TestContext(new InetSocketAddress(ip, port), Map.of(), Map.of());
    }

    static TestContext header(String ip, String name, String value) {
        return new TestContext(new InetSocketAddress(ip, 40000), Map.of(name.toLowerCase(Locale.ROOT), value),
                Map.of());
    }

    static TestContext cookie(String ip, String name, String value) {
        return new TestContext(new InetSocketAddress(ip, 40000), Map.of(), Map.of(name, value));
    }

    @Override
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    @Override
    public String cookie(String name) {
        return cookies.get(name);
    }
}
