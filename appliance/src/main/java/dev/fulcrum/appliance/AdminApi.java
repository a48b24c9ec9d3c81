package dev.fulcrum.appliance;

import dev.fulcrum.appliance.admin.AdminAction;
import dev.fulcrum.appliance.admin.AdminReply;
import dev.fulcrum.appliance.admin.AdminRequest;
import dev.fulcrum.appliance.admin.AdminRoutes;
import dev.fulcrum.appliance.admin.MetricsEndpoint;
import dev.fulcrum.appliance.admin.StatusPage;
import dev.fulcrum.lbcore.pool.AdminState;
import dev.fulcrum.lbcore.pool.Pool;
import dev.fulcrum.lbcore.pool.Server;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The admin listener's routes, as DESIGN.md lists them, on a running appliance. */
final class AdminApi {

    private static final String SERVER = "/api/v1/pools/{pool}/servers/{server}";

    private final Appliance appliance;
    private final StatusModel model;
    private final ConfigReloader reloader;

    private AdminApi(Appliance appliance, StatusModel model, ConfigReloader reloader) {
        this.appliance = appliance;
        this.model = model;
        this.reloader = reloader;
    }

    static AdminRoutes routes(Appliance appliance, PrometheusMeterRegistry registry, ConfigReloader reloader) {
        AdminApi api = new AdminApi(appliance, new StatusModel(appliance, registry), reloader);
        return new AdminRoutes()
                .get("/metrics", new MetricsEndpoint(registry))
                .get("/status", new StatusPage())
                .get("/api/v1/status", request -> AdminReply.ok(api.model.status()))
                .get("/api/v1/pools", request -> AdminReply.ok(Map.of("pools", api.model.pools())))
                .get("/api/v1/pools/{pool}", api::pool)
                .mutate(HttpMethod.POST, SERVER + "/drain", api.adminState(AdminState.DRAINING))
                .mutate(HttpMethod.POST, SERVER + "/enable", api.adminState(AdminState.ENABLED))
                .mutate(HttpMethod.POST, SERVER + "/disable", api.adminState(AdminState.DISABLED))
                .mutate(HttpMethod.PUT, SERVER + "/weight", api::weight)
                .mutate(HttpMethod.POST, "/api/v1/reload", api::reload);
    }

    private AdminReply pool(AdminRequest request) {
        Pool pool = appliance.pools().get(request.var("pool"));
        return pool == null ? noPool(request) : AdminReply.ok(model.pool(pool.name(), pool));
    }

    /** Drain, enable, disable: the server's admin state, which survives reloads. */
    private AdminAction adminState(AdminState state) {
        return request -> {
            Pool pool = appliance.pools().get(request.var("pool"));
            if (pool == null) {
                return done(noPool(request));
            }
            Server server = pool.server(request.var("server"));
            if (server == null) {
                return done(noServer(request, pool));
            }
            server.setAdminState(state, state.name().toLowerCase(java.util.Locale.ROOT) + " by the admin API");
            return done(AdminReply.ok(model.pool(pool.name(), pool)));
        };
    }

    private CompletionStage<AdminReply> weight(AdminRequest request) {
        Pool pool = appliance.pools().get(request.var("pool"));
        if (pool == null) {
            return done(noPool(request));
        }
        if (pool.server(request.var("server")) == null) {
            return done(noServer(request, pool));
        }
        Integer weight = weightOf(request.body());
        if (weight == null) {
            return done(AdminReply.error(HttpResponseStatus.BAD_REQUEST,
                    "expected a body {\"weight\": N} with N an integer between 1 and 1000"));
        }
        String poolName = pool.name();
        String serverName = request.var("server");
        return reloader.apply("admin API: weight of " + poolName + "/" + serverName,
                running -> WeightOverride.apply(running, poolName, serverName, weight)).thenApply(outcome -> {
                    if (!outcome.applied()) {
                        return AdminReply.error(HttpResponseStatus.CONFLICT, "the weight was not applied",
                                outcome.problems());
                    }
                    Pool now = appliance.pools().get(poolName);
                    return AdminReply.ok(model.pool(poolName, now));
                });
    }

    private CompletionStage<AdminReply> reload(AdminRequest request) {
        return reloader.reload("admin API").thenApply(outcome -> {
            if (outcome.applied()) {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("applied", true);
                body.put("config", appliance.config().source());
                return AdminReply.ok(body);
            }
            return AdminReply.error(HttpResponseStatus.UNPROCESSABLE_ENTITY,
                    "the configuration was not reloaded; the running one stays", outcome.problems());
        });
    }

    /** The weight of a {"weight": N} body (JSON is YAML, and the YAML parser is already here). */
    private static Integer weightOf(String body) {
        try {
            Object parsed = new Yaml(new SafeConstructor(new LoaderOptions())).load(body);
            if (parsed instanceof Map<?, ?> map && map.size() == 1 && map.get("weight") instanceof Integer w
                    && w >= 1 && w <= 1000) {
                return w;
            }
        } catch (RuntimeException e) {
            // Not JSON: the caller answers 400.
        }
        return null;
    }

    private static AdminReply noPool(AdminRequest request) {
        return AdminReply.error(HttpResponseStatus.NOT_FOUND, "no pool '" + request.var("pool") + "'");
    }

    private static AdminReply noServer(AdminRequest request, Pool pool) {
        return AdminReply.error(HttpResponseStatus.NOT_FOUND, "no server '" + request.var("server") + "' in pool '"
                + pool.name() + "'");
    }

    private static CompletionStage<AdminReply> done(AdminReply reply) {
        return CompletableFuture.completedFuture(reply);
    }
}
