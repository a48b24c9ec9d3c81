package dev.fulcrum.appliance;

import dev.fulcrum.config.ConfigError;
import dev.fulcrum.config.ConfigException;
import dev.fulcrum.config.ConfigLoader;
import dev.fulcrum.config.FulcrumConfig;
import dev.fulcrum.lbcore.metrics.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the configuration file, however asked (SIGHUP, the admin API, a change of the file):
 * one reload at a time, on a thread of its own, validated before anything changes. A bad file
 * leaves the running configuration in place and says why: in the answer, in the log (each
 * problem as {@code FILE:LINE:COL: message}) and in {@code fulcrum_config_reloads_total{result}}.
 */
final class ConfigReloader implements AutoCloseable {

    static final String RELOADS = MetricNames.CONFIG_RELOADS;
    static final String LAST_SUCCESSFUL = "fulcrum.config.last.reload.successful";
    static final String LAST_SUCCESS_TIME = "fulcrum.config.last.reload.success.timestamp";

    private static final Logger LOG = LoggerFactory.getLogger(ConfigReloader.class);

    /** What one reload did. */
    record Outcome(boolean applied, String trigger, long atMillis, List<String> problems) {
    }

    private final Path file;
    private final Appliance appliance;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(
            new DefaultThreadFactory("fulcrum-reload", true));
    private final Counter succeeded;
    private final Counter failed;
    private volatile Outcome last;
    private volatile long lastSuccessMillis = System.currentTimeMillis();

    /** @param file where the configuration is read again; null when it came from memory (the demo) */
    ConfigReloader(Path file, Appliance appliance, MeterRegistry registry) {
        this.file = file;
        this.appliance = appliance;
        this.succeeded = Counter.builder(RELOADS).tag("result", "success")
                .description("configuration reloads, by result").register(registry);
        this.failed = Counter.builder(RELOADS).tag("result", "failure")
                .description("configuration reloads, by result").register(registry);
        Gauge.builder(LAST_SUCCESSFUL, this, r -> r.last == null || r.last.applied() ? 1 : 0)
                .description("1 when the last reload succeeded (or none was tried)").register(registry);
        Gauge.builder(LAST_SUCCESS_TIME, this, r -> r.lastSuccessMillis / 1000.0).baseUnit("seconds")
                .description("when the running configuration was loaded").register(registry);
    }

    Path file() {
        return file;
    }

    /** The last reload's outcome, or null when none was tried. */
    Outcome last() {
        return last;
    }

    /** Where the next configuration comes from. */
    @FunctionalInterface
    private interface Source {
        FulcrumConfig next() throws ConfigException;
    }

    /** Reads the file again and swaps it in if it is valid. */
    CompletableFuture<Outcome> reload(String trigger) {
        if (file == null) {
            return CompletableFuture.completedFuture(failure(trigger, List.of(appliance.config().source()
                    + ": not read from a file (the embedded demo): there is nothing to reload")));
        }
        return run(trigger, () -> ConfigLoader.load(file));
    }

    /**
     * Applies a change to the running configuration (the admin API's weight), not read from the
     * file: the next reload from the file undoes it, as HAProxy's runtime API changes are.
     */
    CompletableFuture<Outcome> apply(String trigger, UnaryOperator<FulcrumConfig> change) {
        return run(trigger, () -> change.apply(appliance.config()));
    }

    private CompletableFuture<Outcome> run(String trigger, Source source) {
        return CompletableFuture.supplyAsync(() -> {
            Outcome outcome;
            try {
                appliance.reload(source.next());
                outcome = new Outcome(true, trigger, System.currentTimeMillis(), List.of());
                lastSuccessMillis = outcome.atMillis();
                succeeded.increment();
                LOG.info("config reload ({}) of {}: applied", trigger, file);
            } catch (ConfigException e) {
                outcome = failure(trigger, e.errors().stream().map(ConfigError::toString).toList());
            } catch (ReloadException e) {
                outcome = failure(trigger, e.problems());
            } catch (RuntimeException e) {
                LOG.error("config reload ({}) failed", trigger, e);
                outcome = failure(trigger, List.of(file + ": " + e));
            }
            last = outcome;
            return outcome;
        }, thread);
    }

    private Outcome failure(String trigger, List<String> problems) {
        failed.increment();
        LOG.error("config reload ({}) of {} refused, the running configuration stays: {}", trigger, file,
                String.join("; ", problems));
        return new Outcome(false, trigger, System.currentTimeMillis(), problems);
    }

    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
