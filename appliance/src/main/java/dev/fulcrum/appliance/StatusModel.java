package dev.fulcrum.appliance;

import dev.fulcrum.appliance.cli.VersionProvider;
import dev.fulcrum.config.ListenerConfig;
import dev.fulcrum.config.PoolConfig;
import dev.fulcrum.ha.HaState;
import dev.fulcrum.l7.HttpListener;
import dev.fulcrum.lbcore.metrics.MetricNames;
import dev.fulcrum.lbcore.pool.AdminState;
import dev.fulcrum.lbcore.pool.Pool;
import dev.fulcrum.lbcore.pool.Server;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The running state as plain data (maps and lists) for the admin API's JSON and the status
 * page: listeners, pools and servers with state, reason, weight and counts. Built on request
 * from the admin event loop; it reads the servers' atomics and the registry, never blocks.
 */
final class StatusModel {

    private final Appliance appliance;
    private final MeterRegistry registry;
    private final long startedMillis = System.currentTimeMillis();

    StatusModel(Appliance appliance, MeterRegistry registry) {
        this.appliance = appliance;
        this.registry = registry;
    }

    Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("node", node());
        status.put("listeners", listeners());
        status.put("pools", pools());
        return status;
    }

    Map<String, Object> node() {
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("version", VersionProvider.version());
        node.put("config", appliance.config().source());
        node.put("started", Instant.ofEpochMilli(startedMillis).toString());
        node.put("uptime_seconds", (System.currentTimeMillis() - startedMillis) / 1000);
        HaState ha = appliance.haState();
        node.put("ha", appliance.config().ha().map(config -> Map.<String, Object>of("node", config.node(),
                "priority", config.priority(), "state", ha == null ? "stopped" : ha.key())).orElse(null));
        ConfigReloader.Outcome last = appliance.lastReload();
        node.put("last_reload", last == null ? null : Map.of("applied", last.applied(), "trigger", last.trigger(),
                "at", Instant.ofEpochMilli(last.atMillis()).toString(), "problems", last.problems()));
        return node;
    }

    List<Map<String, Object>> listeners() {
        List<Map<String, Object>> out = new ArrayList<>();
        Map<String, Integer> open = new HashMap<>();
        for (HttpListener bound : appliance.listeners()) {
            open.put(bound.name(), bound.openConnections());
        }
        for (ListenerConfig listener : appliance.config().listeners()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", listener.name());
            entry.put("protocol", listener.protocol().key());
            entry.put("bind", listener.bind().toString());
            entry.put("bound", appliance.boundAddress(listener.name()).map(StatusModel::hostPort).orElse(null));
            if (listener.protocol().isHttp()) {
                entry.put("http2", listener.edge().http2().enabled());
                entry.put("connections_open", open.get(listener.name()));
                entry.put("connections", connectionsByProtocol(listener.name()));
            }
            entry.put("routes", listener.routes().isEmpty() ? List.of(Map.of("pool", listener.pool().orElse("")))
                    : listener.routes().stream().map(route -> {
                        Map<String, Object> r = new LinkedHashMap<>();
                        r.put("name", route.name());
                        r.put("pool", route.pool().orElse(null));
                        return r;
                    }).toList());
            out.add(entry);
        }
        return out;
    }

    /** Connections accepted since the listener started, by the protocol they settled on (h2, http/1.1). */
    private Map<String, Long> connectionsByProtocol(String listener) {
        Map<String, Long> counts = new TreeMap<>();
        for (Counter counter : registry.find(MetricNames.HTTP_CONNECTIONS).tag(MetricNames.TAG_LISTENER, listener)
                .counters()) {
            counts.merge(counter.getId().getTag(MetricNames.TAG_PROTOCOL), (long) counter.count(), Long::sum);
        }
        return counts;
    }

    List<Map<String, Object>> pools() {
        List<Map<String, Object>> out = new ArrayList<>();
        appliance.pools().forEach((name, pool) -> out.add(pool(name, pool)));
        return out;
    }

    Map<String, Object> pool(String name, Pool pool) {
        PoolConfig config = appliance.config().pools().get(name);
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("name", name);
        entry.put("balance", config == null ? null : config.balance().key());
        entry.put("in_panic", pool.inPanic());
        entry.put("queue_waiting", pool.queue().waiting());
        entry.put("servers_in_rotation", pool.servers().stream().filter(Server::isInRotation).count());
        entry.put("servers_total", pool.servers().size());
        List<Map<String, Object>> servers = new ArrayList<>();
        for (Server server : pool.servers()) {
            servers.add(server(server));
        }
        entry.put("servers", servers);
        return entry;
    }

    private Map<String, Object> server(Server server) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("name", server.name());
        entry.put("address", server.authority());
        entry.put("state", state(server));
        entry.put("admin", server.adminState().name().toLowerCase(java.util.Locale.ROOT));
        entry.put("healthy", server.isHealthy());
        entry.put("ejected", server.isEjected());
        entry.put("in_rotation", server.isInRotation());
        entry.put("reason", server.lastTransition().reason());
        long since = server.lastTransition().epochMillis();
        entry.put("since", since == 0 ? null : Instant.ofEpochMilli(since).toString());
        entry.put("weight", server.weight());
        entry.put("effective_weight", server.effectiveWeight());
        entry.put("active_connections", server.activeConnections());
        entry.put("max_connections", server.maxConnections());
        double requests = 0;
        double errors = 0;
        for (Counter counter : registry.find(MetricNames.HTTP_REQUESTS).tag(MetricNames.TAG_POOL, server.pool())
                .tag(MetricNames.TAG_SERVER, server.name()).counters()) {
            requests += counter.count();
            if ("5xx".equals(counter.getId().getTag(MetricNames.TAG_CODE))) {
                errors += counter.count();
            }
        }
        long timed = 0;
        double seconds = 0;
        double max = 0;
        for (Timer timer : registry.find(MetricNames.HTTP_REQUEST_DURATION).tag(MetricNames.TAG_POOL, server.pool())
                .tag(MetricNames.TAG_SERVER, server.name()).timers()) {
            timed += timer.count();
            seconds += timer.totalTime(TimeUnit.SECONDS);
            max = Math.max(max, timer.max(TimeUnit.SECONDS));
        }
        entry.put("requests", (long) requests);
        entry.put("errors_5xx", (long) errors);
        entry.put("latency_mean_seconds", timed == 0 ? null : seconds / timed);
        entry.put("latency_max_seconds", timed == 0 ? null : max);
        return entry;
    }

    private static String hostPort(java.net.InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /** One word for the page: what an operator looks for first. */
    static String state(Server server) {
        if (server.adminState() == AdminState.DISABLED) {
            return "disabled";
        }
        if (!server.isHealthy()) {
            return "down";
        }
        if (server.isEjected()) {
            return "ejected";
        }
        if (server.adminState() == AdminState.DRAINING) {
            return "draining";
        }
        return server.warmth() < 1.0 ? "warming" : "up";
    }
}
