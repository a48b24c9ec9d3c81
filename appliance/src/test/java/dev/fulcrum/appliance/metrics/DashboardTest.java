package dev.fulcrum.appliance.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.appliance.Appliance;
import dev.fulcrum.appliance.Metrics;
import dev.fulcrum.appliance.demo.Demo;
import dev.fulcrum.appliance.health.Backend;
import dev.fulcrum.config.ConfigLoader;
import dev.fulcrum.ha.HaState;
import java.io.IOException;
import java.io.Reader;
import java.net.DatagramSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * {@code dashboards/fulcrum.json} reads only metrics that a running Fulcrum exports, and is shaped
 * as Grafana imports it. The scrape is the demo after some traffic, plus a second node with what
 * the demo lacks: an HA section (its state and transitions) and a server failing its checks.
 */
class DashboardTest {

    /**
     * Metrics the dashboard shows before Fulcrum exports them. Remove a name once it is exported
     * (the test then checks it like every other).
     */
    private static final Set<String> NOT_YET_EXPORTED = Set.of();
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dir;
    private static Map<String, Object> dashboard;
    private static final List<AutoCloseable> running = new ArrayList<>();
    private static final Set<String> scraped = new TreeSet<>();

    @BeforeAll
    static void scrapeARunningFulcrum() throws Exception {
        dashboard = load(dashboardFile());

        Metrics demoMetrics = started(new Metrics());
        Demo demo = started(DemoTraffic.startDemo(demoMetrics));
        DemoTraffic.send(demo);
        // The GC pause timer appears with the first collection, which a short run may not have had yet.
        System.gc();
        await().atMost(WAIT).until(() -> scrape(demo.appliance()).contains("jvm_gc_pause_seconds_count"));
        scraped.addAll(names(scrape(demo.appliance())));

        Backend failing = started(new Backend("failing-1"));
        failing.healthStatus(500);
        Appliance node = started(Appliance.start(ConfigLoader.parse("node.yaml", haNode(failing.port()), dir),
                started(new Metrics())));
        await().atMost(WAIT).until(() -> node.haState() == HaState.MASTER);
        await().atMost(WAIT).until(() -> scrape(node).contains("fulcrum_server_transitions_total{"));
        scraped.addAll(names(scrape(node)));
    }

    private static <T extends AutoCloseable> T started(T resource) {
        running.add(0, resource);
        return resource;
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable resource : running) {
            resource.close();
        }
    }

    /** A lone HA node (its peer never answers, so it becomes master) in front of a server failing its checks. */
    private static String haNode(int failingPort) throws IOException {
        Files.writeString(dir.resolve("ha.secret"), "a secret for a node alone\n");
        int[] udp;
        // The HA section takes no port 0; these two were free a moment ago, as PairOnLoopbackTest does.
        try (DatagramSocket a = new DatagramSocket(0); DatagramSocket b = new DatagramSocket(0)) {
            udp = new int[] {a.getLocalPort(), b.getLocalPort()};
        }
        return """
                admin: {bind: "127.0.0.1:0"}
                listeners:
                  - {name: web, bind: "127.0.0.1:0", protocol: http, routes: [{pool: app}]}
                pools:
                  app:
                    health_check: {type: http, path: /healthz, interval: 100ms, timeout: 50ms, rise: 1, fall: 1}
                    servers: [{name: failing-1, address: "127.0.0.1:%d"}]
                ha:
                  node: lb-a
                  priority: 100
                  bind: 127.0.0.1:%d
                  peers: [127.0.0.1:%d]
                  advert_interval: 50ms
                  secret_file: ha.secret
                """.formatted(failingPort, udp[0], udp[1]);
    }

    private static String scrape(Appliance appliance) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + appliance.adminAddress().getPort() + "/metrics");
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(uri).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** Series names of a Prometheus text scrape. */
    private static Set<String> names(String scrape) {
        Set<String> names = new HashSet<>();
        for (String line : scrape.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }

    /** The repository's dashboards directory, seen from the module directory the tests run in. */
    static Path dashboardFile() {
        for (Path p : List.of(Path.of("../dashboards/fulcrum.json"), Path.of("dashboards/fulcrum.json"))) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new IllegalStateException("dashboards/fulcrum.json not found from " + Path.of("").toAbsolutePath());
    }

    /** SnakeYAML reads JSON (a subset of YAML); the project has no JSON library and needs none. */
    private static Map<String, Object> load(Path file) throws IOException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return new Yaml(new SafeConstructor(options)).load(reader);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> map, String key) {
        Object value = map.get(key);
        return value == null ? List.of() : (List<Map<String, Object>>) value;
    }

    /** Every panel, those inside collapsed rows too. */
    private static List<Map<String, Object>> panels() {
        List<Map<String, Object>> panels = new ArrayList<>();
        for (Map<String, Object> panel : list(dashboard, "panels")) {
            panels.add(panel);
            panels.addAll(list(panel, "panels"));
        }
        return panels;
    }

    /** Each panel query's expression, keyed by where it is (for messages). */
    private static Map<String, String> expressions() {
        Map<String, String> exprs = new LinkedHashMap<>();
        for (Map<String, Object> panel : panels()) {
            for (Map<String, Object> target : list(panel, "targets")) {
                exprs.put("panel \"" + panel.get("title") + "\" " + target.get("refId"), (String) target.get("expr"));
            }
        }
        return exprs;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> variables() {
        return list((Map<String, Object>) dashboard.get("templating"), "list");
    }

    @SuppressWarnings("unchecked")
    private static String variableQuery(Map<String, Object> variable) {
        Object query = variable.get("query");
        return query instanceof Map ? (String) ((Map<String, Object>) query).get("query") : (String) query;
    }

    @Test
    void everyMetricTheDashboardReadsIsExported() {
        Set<String> used = new TreeSet<>();
        expressions().values().forEach(expr -> used.addAll(PromQlNames.inExpression(expr)));
        for (Map<String, Object> variable : variables()) {
            if ("query".equals(variable.get("type"))) {
                used.addAll(PromQlNames.inVariableQuery(variableQuery(variable)));
            }
        }
        // Guards the extraction itself: it must find what the dashboard is known to read.
        assertThat(used).contains("fulcrum_http_requests_total", "fulcrum_http_request_duration_seconds_bucket",
                "fulcrum_ha_state", "fulcrum_netty_allocator_memory_used_bytes", "jvm_memory_used_bytes");

        Set<String> missing = new TreeSet<>(used);
        missing.removeAll(scraped);
        missing.removeAll(NOT_YET_EXPORTED);
        assertThat(missing).as("metrics the dashboard reads that no scrape has").isEmpty();
    }

    @Test
    void everyQueryReadsSomeMetric() {
        assertThat(expressions()).isNotEmpty().allSatisfy((where, expr) ->
                assertThat(PromQlNames.inExpression(expr)).as(where + ": " + expr).isNotEmpty());
    }

    @Test
    @SuppressWarnings("unchecked")
    void itIsADashboardGrafanaImportsWithItsVariables() {
        assertThat(dashboard).containsEntry("uid", "fulcrum").containsEntry("title", "Fulcrum");
        assertThat((Integer) dashboard.get("schemaVersion")).isGreaterThanOrEqualTo(36);
        Map<String, Map<String, Object>> byName = new LinkedHashMap<>();
        variables().forEach(v -> byName.put((String) v.get("name"), v));
        assertThat(byName).containsKeys("datasource", "instance", "listener", "pool");
        assertThat(byName.get("datasource")).containsEntry("type", "datasource").containsEntry("query", "prometheus");

        Set<Object> ids = new HashSet<>();
        for (Map<String, Object> panel : panels()) {
            assertThat(ids.add(panel.get("id"))).as("panel ids are unique: " + panel.get("id")).isTrue();
            assertThat(panel).containsKey("gridPos");
            if ("row".equals(panel.get("type"))) {
                continue;
            }
            assertThat((Map<String, Object>) panel.get("datasource")).as(panel.get("title") + " data source")
                    .containsEntry("uid", "${datasource}");
            assertThat(list(panel, "targets")).as(panel.get("title") + " queries").isNotEmpty()
                    .allSatisfy(t -> assertThat((Map<String, Object>) t.get("datasource"))
                            .containsEntry("uid", "${datasource}"));
        }
        assertThat(expressions().values()).as("panels filter by the variables")
                .anyMatch(e -> e.contains("$listener")).anyMatch(e -> e.contains("$pool"))
                .allMatch(e -> e.contains("$instance"));
    }

    /** promtool parses every query as a rule; CI installs it, elsewhere this is skipped. */
    @Test
    void everyQueryIsValidPromQl() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/promtool")), "promtool is not installed");
        List<Map<String, Object>> rules = new ArrayList<>();
        for (String expr : expressions().values()) {
            // Grafana fills these in before Prometheus sees the query.
            String filled = expr.replace("$__rate_interval", "1m").replaceAll("\\$\\{?\\w+}?", ".*");
            rules.add(Map.of("record", "dashboard:query" + rules.size(), "expr", filled));
        }
        Path file = dir.resolve("dashboard-rules.yml");
        Files.writeString(file, new Yaml().dump(Map.of("groups", List.of(Map.of("name", "dashboard", "rules", rules)))));

        Process promtool = new ProcessBuilder("/usr/bin/promtool", "check", "rules", file.toString())
                .redirectErrorStream(true).start();
        assertThat(promtool.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(promtool.exitValue()).as(output).isZero();
    }
}
