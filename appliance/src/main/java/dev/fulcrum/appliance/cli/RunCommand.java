package dev.fulcrum.appliance.cli;

import dev.fulcrum.appliance.Appliance;
import dev.fulcrum.appliance.Metrics;
import dev.fulcrum.appliance.StartException;
import dev.fulcrum.appliance.demo.Demo;
import dev.fulcrum.config.ConfigException;
import dev.fulcrum.config.ConfigLoader;
import dev.fulcrum.config.HaConfig;
import dev.fulcrum.config.Endpoint;
import dev.fulcrum.tls.CertificateWatcher;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fulcrum run}: serve a configuration file, or the embedded demo without one, until stopped. */
@Command(name = "run", description = "Run the appliance on a configuration file, or the embedded demo without one.")
final class RunCommand implements Callable<Integer> {

    static final int DEMO_WEB_PORT = 8080;
    static final int DEMO_TCP_PORT = 8081;
    static final int DEMO_HTTPS_PORT = 8443;
    static final int DEMO_ADMIN_PORT = 9090;
    private static final Duration WATCH_PERIOD = Duration.ofSeconds(2);

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration; without it, the demo runs.")
    Path config;

    @Option(names = "--demo-address", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Address the demo's listeners bind (default: ${DEFAULT-VALUE}).")
    String demoAddress;

    @Option(names = "--watch", description = "Reload the configuration when its file changes (checked every 2s).")
    boolean watch;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Metrics metrics = new Metrics();
        AutoCloseable running;
        try {
            running = config == null ? startDemo(out, metrics) : startFile(out, metrics);
        } catch (ConfigException e) {
            e.errors().forEach(err::println);
            err.println(config + ": " + e.errors().size() + " error(s); nothing started");
            err.flush();
            metrics.close();
            return ExitCodes.INVALID_INPUT;
        } catch (StartException e) {
            e.problems().forEach(err::println);
            err.println("fulcrum: not started");
            err.flush();
            metrics.close();
            return ExitCodes.INVALID_INPUT;
        }
        // Installed once started: a configuration that fails leaves the process's signals alone.
        CountDownLatch stop = ProcessSignals.stopOnTermOrInt();
        if (running instanceof Appliance appliance) {
            ProcessSignals.reloadOnHup(() -> appliance.reloadConfig("SIGHUP"));
        }
        CertificateWatcher watching = watch && config != null && running instanceof Appliance appliance
                ? CertificateWatcher.start(WATCH_PERIOD, () -> appliance.reloadConfig("file change"), List.of(config))
                : null;
        stop.await();
        if (watching != null) {
            watching.close();
        }
        err.println("fulcrum: stopping");
        err.flush();
        try {
            running.close();
        } catch (Exception e) {
            err.println("fulcrum: error while stopping: " + e);
            return ExitCodes.STOP_FAILED;
        } finally {
            metrics.close();
        }
        return ExitCodes.OK;
    }

    private AutoCloseable startDemo(PrintWriter out, Metrics metrics) throws StartException {
        Demo demo = Demo.start(new Endpoint(demoAddress, DEMO_WEB_PORT), new Endpoint(demoAddress, DEMO_TCP_PORT),
                new Endpoint(demoAddress, DEMO_HTTPS_PORT),
                new Endpoint(demoAddress, DEMO_ADMIN_PORT), metrics);
        out.println("Fulcrum " + VersionProvider.version() + ": the demo is running. Try:");
        demo.hints().forEach(hint -> out.println("  " + hint));
        out.println("Stop it with Ctrl-C.");
        out.flush();
        return demo;
    }

    private AutoCloseable startFile(PrintWriter out, Metrics metrics) throws ConfigException, StartException {
        Appliance appliance = Appliance.start(ConfigLoader.load(config), metrics, config);
        out.println("Fulcrum " + VersionProvider.version() + ": running " + config);
        appliance.listeners().forEach(l -> out.println("  listener " + l.name() + " on " + l.localAddress()));
        appliance.tcpListeners().forEach(l -> out.println("  listener " + l.name() + " on " + l.localAddress()));
        if (appliance.config().ha().map(HaConfig::listenersFollowState).orElse(false)) {
            out.println("  listeners bound while this node is master (ha.listeners_follow_state)");
        }
        out.println("  admin on " + appliance.adminAddress());
        out.flush();
        return appliance;
    }
}
