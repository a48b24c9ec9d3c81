package dev.fulcrum.l4;

import static org.awaitility.Awaitility.await;

import dev.fulcrum.config.ConfigLoader;
import dev.fulcrum.config.FulcrumConfig;
import dev.fulcrum.lbcore.EventLoops;
import dev.fulcrum.lbcore.Transport;
import dev.fulcrum.lbcore.health.PassiveHealth;
import dev.fulcrum.lbcore.metrics.MetricNames;
import dev.fulcrum.lbcore.pool.Pool;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;

/** A proxy with one tcp listener named {@code tcp}, built from a YAML text, on two event loops. */
final class L4Fixture implements AutoCloseable {

    static final String LISTENER = "tcp";

    final EventLoops loops;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final L4Snapshot snapshot;
    final TcpListener listener;

    L4Fixture(String yaml, PassiveHealth health) throws Exception {
        this(yaml, health, Transport.select());
    }

    L4Fixture(String yaml, PassiveHealth health, Transport transport) throws Exception {
        loops = new EventLoops(2, transport);
        FulcrumConfig config = ConfigLoader.parse("test", yaml, Path.of("."));
        snapshot = L4Snapshot.build(config, loops, registry, health);
        listener = TcpListener.start(config.listener(LISTENER).orElseThrow(), loops, () -> snapshot, registry)
                .get();
    }

    /**
     * A listener on an ephemeral port in front of one pool {@code backends} of these servers.
     *
     * @param listenerExtras more keys of the listener's flow mapping, e.g. {@code "splice: false"}
     * @param poolExtras more lines of the pool, e.g. {@code "max_pending: 2"}
     */
    static String config(String listenerExtras, String poolExtras, int... ports) {
        StringBuilder yaml = new StringBuilder()
                .append("listeners:\n")
                .append("  - {name: tcp, bind: 127.0.0.1:0, protocol: tcp, pool: backends")
                .append(listenerExtras.isEmpty() ? "" : ", " + listenerExtras).append("}\n")
                .append("pools:\n  backends:\n    balance: round_robin\n    connect_timeout: 1s\n");
        if (!poolExtras.isEmpty()) {
            yaml.append("    ").append(poolExtras).append('\n');
        }
        yaml.append("    servers:\n");
        for (int i = 0; i < ports.length; i++) {
            yaml.append("      - {name: s").append(i + 1).append(", address: 127.0.0.1:").append(ports[i]).append("}\n");
        }
        return yaml.toString();
    }

    Socket connect() throws Exception {
        InetSocketAddress address = listener.localAddress();
        Socket socket = new Socket(address.getAddress(), address.getPort());
        socket.setSoTimeout(20_000);
        return socket;
    }

    Pool pool() {
        return snapshot.pools().get("backends");
    }

    /** No client connection and no backend connection left open in the proxy. */
    void awaitNothingOpen() {
        await().atMost(Duration.ofSeconds(10)).until(() -> snapshot.activeConnections(LISTENER) == 0
                && listener.openConnections() == 0
                && snapshot.pools().values().stream().flatMap(p -> p.servers().stream())
                        .mapToInt(server -> server.activeConnections() + server.requestsInFlight()).sum() == 0);
    }

    /** The one client channel open in the proxy now. */
    Channel onlyConnection() {
        await().atMost(Duration.ofSeconds(10)).until(() -> listener.openConnections() == 1);
        return listener.connections().iterator().next();
    }

    /** A refusal counter of the listener. */
    double refused(String reason) {
        return registry.get(MetricNames.LISTENER_REFUSED).tag(MetricNames.TAG_REASON, reason).counter().count();
    }

    @Override
    public void close() {
        listener.close().awaitUninterruptibly(5_000);
        loops.close();
    }
}
