package dev.fulcrum.appliance.demo;

import dev.fulcrum.appliance.Appliance;
import dev.fulcrum.appliance.Metrics;
import dev.fulcrum.appliance.StartException;
import dev.fulcrum.config.ConfigException;
import dev.fulcrum.config.ConfigLoader;
import dev.fulcrum.config.Endpoint;
import dev.fulcrum.config.FulcrumConfig;
import dev.fulcrum.tls.SelfSigned;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The embedded demo: four backend servers in this process, and the appliance in front of
 * them on the real proxy path, configured by the embedded demo.yaml.
 */
public final class Demo implements AutoCloseable {

    static final String TEMPLATE = "/dev/fulcrum/appliance/demo/demo.yaml";
    static final List<String> BACKENDS = List.of("video-1", "video-2", "billing-1", "billing-2");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([a-z0-9-]+)}");

    private final EventLoopGroup backendGroup;
    private final List<DemoBackend> backends;
    private final Appliance appliance;
    private final Path certificateDir;

    private Demo(EventLoopGroup backendGroup, List<DemoBackend> backends, Appliance appliance, Path certificateDir) {
        this.backendGroup = backendGroup;
        this.backends = backends;
        this.appliance = appliance;
        this.certificateDir = certificateDir;
    }

    /**
     * @param web where the demo's HTTP listener binds (port 0 for any free port)
     * @param tcp where the demo's TCP listener binds
     * @param https where the demo's HTTPS listener binds (a self-signed certificate made at start)
     * @param admin where the admin listener binds
     */
    public static Demo start(Endpoint web, Endpoint tcp, Endpoint https, Endpoint admin, Metrics metrics)
            throws StartException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
                new DefaultThreadFactory("fulcrum-demo-backend", true), NioIoHandler.newFactory());
        List<DemoBackend> backends = new ArrayList<>();
        Path certificateDir = null;
        try {
            certificateDir = Files.createTempDirectory("fulcrum-demo-tls");
            SelfSigned.Written certificate = SelfSigned.write("localhost", certificateDir);
            Map<String, String> values = new LinkedHashMap<>();
            values.put("web", web.toString());
            values.put("tcp", tcp.toString());
            values.put("https", https.toString());
            values.put("admin", admin.toString());
            values.put("cert", certificate.cert().toString());
            values.put("key", certificate.key().toString());
            for (String name : BACKENDS) {
                DemoBackend backend = DemoBackend.start(name, group);
                backends.add(backend);
                values.put(name, "127.0.0.1:" + backend.address().getPort());
            }
            FulcrumConfig config = ConfigLoader.parse("demo.yaml (embedded)", render(template(), values), Path.of("."));
            return new Demo(group, backends, Appliance.start(config, metrics), certificateDir);
        } catch (IOException e) {
            closeBackends(group, backends);
            deleteQuietly(certificateDir);
            throw new StartException(List.of("cannot write the demo's certificate: " + e.getMessage()), e);
        } catch (ConfigException e) {
            closeBackends(group, backends);
            deleteQuietly(certificateDir);
            throw new IllegalStateException("the embedded demo configuration is invalid:\n" + e.getMessage(), e);
        } catch (InterruptedException e) {
            closeBackends(group, backends);
            deleteQuietly(certificateDir);
            Thread.currentThread().interrupt();
            throw new StartException(List.of("interrupted while starting the demo backends"), e);
        } catch (StartException | RuntimeException e) {
            closeBackends(group, backends);
            deleteQuietly(certificateDir);
            throw e;
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a temporary directory: the system cleans it up eventually
        }
    }

    static String template() {
        try (InputStream in = Demo.class.getResourceAsStream(TEMPLATE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + TEMPLATE);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Fills every ${name}; a name without a value is a bug in the template, not user input. */
    static String render(String template, Map<String, String> values) {
        Matcher matcher = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String value = values.get(matcher.group(1));
            if (value == null) {
                throw new IllegalStateException("demo template names ${" + matcher.group(1) + "} with no value");
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        return matcher.appendTail(out).toString();
    }

    public Appliance appliance() {
        return appliance;
    }

    /** What to try, with the ports actually bound. */
    public List<String> hints() {
        String web = "http://" + reachable(appliance.listenerAddress("web"));
        String tcp = "http://" + reachable(appliance.listenerAddress("video-tcp"));
        String admin = "http://" + reachable(appliance.adminAddress());
        String https = "https://" + reachable(appliance.listenerAddress("web-tls"));
        return List.of(
                "curl " + web + "/video/intro                    # pool video: video-1, then video-2",
                "curl " + web + "/billing/invoices               # pool billing",
                "curl -c jar -b jar " + web + "/billing/invoices # sticky: the same billing server each time",
                "curl -H 'Host: billing.localhost' " + web + "/  # pool billing, routed by Host",
                "curl -i " + web + "/elsewhere                   # no route: 404 with a reason",
                "curl " + tcp + "/any/path                       # TCP listener: bytes relayed to pool video",
                "curl -k " + https + "/video/intro              # HTTPS (self-signed certificate for localhost)",
                "curl " + admin + "/metrics                        # Prometheus metrics",
                "curl " + admin + "/api/v1/pools                   # pools and servers as JSON",
                "open " + admin + "/status                         # the status page, in a browser");
    }

    /** A wildcard bind is reachable on loopback; any other address as it is. */
    private static String reachable(InetSocketAddress bound) {
        InetAddress address = bound.getAddress();
        String host = address.isAnyLocalAddress() ? "127.0.0.1"
                : address instanceof Inet6Address ? "[" + address.getHostAddress() + "]" : address.getHostAddress();
        return host + ":" + bound.getPort();
    }

    @Override
    public void close() {
        appliance.close();
        closeBackends(backendGroup, backends);
        deleteQuietly(certificateDir);
    }

    private static void closeBackends(EventLoopGroup group, List<DemoBackend> backends) {
        backends.forEach(DemoBackend::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
