package dev.fulcrum.appliance.cli;

import dev.fulcrum.config.ConfigException;
import dev.fulcrum.config.ConfigLoader;
import dev.fulcrum.config.FulcrumConfig;
import dev.fulcrum.config.ListenerConfig;
import dev.fulcrum.config.PoolConfig;
import dev.fulcrum.config.Protocol;
import dev.fulcrum.config.ServerConfig;
import dev.fulcrum.l7.CompiledRouteActions;
import dev.fulcrum.l7.routing.RouteExplanation;
import dev.fulcrum.l7.routing.Router;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code fulcrum route FILE METHOD URL}: which listener, route and pool a request takes, and
 * why each earlier rule did not match, computed by the proxy's own router without traffic.
 * Exits 0 when a route takes the request, 1 when the proxy would answer it itself (404, 400).
 */
@Command(name = "route", description = {
        "Explain which listener, route and pool a request would take, without sending it.",
        "Exit status: 0 when a route takes the request, 1 when it would be answered 404 or 400."})
final class RouteCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "YAML configuration.")
    Path file;

    @Parameters(index = "1", paramLabel = "METHOD", description = "HTTP method, e.g. GET.")
    String method;

    @Parameters(index = "2", paramLabel = "URL", description = "Absolute URL, e.g. http://billing.example.com:8080/pay")
    String url;

    @Option(names = {"-H", "--header"}, paramLabel = "'Name: value'", description = "A request header; repeatable.")
    List<String> headerLines = new ArrayList<>();

    @Option(names = "--listener", paramLabel = "NAME",
            description = "The listener to route on; by default the one bound to the URL's port.")
    String listenerName;

    @Option(names = "--http2", description = "The request comes over HTTP/2 (h2c prior knowledge on http, ALPN h2 "
            + "on https): routed the same, with :authority in Host's place.")
    boolean http2;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            FulcrumConfig config = ConfigLoader.load(file);
            URI target = parseUrl();
            ListenerConfig listener = new ListenerChoice(config, listenerName).choose(target);
            HttpHeaders headers = headers(target);
            RouteExplanation explanation = Router.compile(listener)
                    .explain(method.toUpperCase(Locale.ROOT), originForm(target), headers);
            out.print(explanation.render());
            if (http2) {
                out.println(http2Line(listener, headers.get(HttpHeaderNames.HOST)));
            }
            explanation.matchedRoute().ifPresent(route -> {
                String backendPath = new CompiledRouteActions(listener.routes().get(route.index()).actions())
                        .rewritePath(explanation.path());
                if (!backendPath.equals(explanation.path())) {
                    out.println("the backend receives path " + backendPath);
                }
                if (route.pool() != null) {
                    out.println(describePool(config.pools().get(route.pool())));
                }
            });
            out.flush();
            return explanation.localStatus().isPresent() ? ExitCodes.INVALID_INPUT : ExitCodes.OK;
        } catch (ConfigException e) {
            e.errors().forEach(err::println);
            err.println(file + ": " + e.errors().size() + " error(s)");
        } catch (InvalidArgument e) {
            err.println("fulcrum route: " + e.getMessage());
        }
        err.flush();
        return ExitCodes.INVALID_INPUT;
    }

    private URI parseUrl() throws InvalidArgument {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new InvalidArgument("URL " + url + " does not parse: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new InvalidArgument("URL must be absolute http:// or https:// with a host, e.g. "
                    + "http://example.com:8080/path; got " + url);
        }
        return uri;
    }

    /** The Host header is the URL's authority unless -H gives one, as a client would send it. */
    private HttpHeaders headers(URI target) throws InvalidArgument {
        HttpHeaders headers = new DefaultHttpHeaders();
        for (String line : headerLines) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new InvalidArgument("header must be 'Name: value', got '" + line + "'");
            }
            headers.add(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
        }
        if (!headers.contains(HttpHeaderNames.HOST)) {
            headers.set(HttpHeaderNames.HOST, target.getRawAuthority());
        }
        return headers;
    }

    /**
     * The router reads the authority from Host, which an HTTP/2 request carries as :authority
     * (a client puts a Host it was given there): the decision above holds either way.
     */
    private static String http2Line(ListenerConfig listener, String authority) {
        boolean tls = listener.protocol() == Protocol.HTTPS;
        if (!listener.edge().http2().enabled()) {
            return tls ? "over HTTP/2: listener " + listener.name() + " has http2: false, so ALPN settles on "
                    + "http/1.1 and the request arrives as HTTP/1.1, as above"
                    : "over HTTP/2: listener " + listener.name() + " has http2: false and refuses the h2c preface; "
                    + "the request must come as HTTP/1.1";
        }
        return "over HTTP/2 (" + (tls ? "ALPN h2" : "h2c with prior knowledge") + "): the same decision, the request "
                + "carrying :authority " + authority + " in Host's place";
    }

    private static String originForm(URI target) {
        String path = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
        return target.getRawQuery() == null ? path : path + "?" + target.getRawQuery();
    }

    private static String describePool(PoolConfig pool) {
        if (pool == null) {
            return "";
        }
        return "pool " + pool.name() + " (" + pool.balance().key() + "): " + pool.servers().stream()
                .map(RouteCommand::describeServer).collect(Collectors.joining(", "));
    }

    private static String describeServer(ServerConfig server) {
        return server.name() + " " + server.address() + " weight " + server.weight();
    }

    /** Which listener a URL reaches: named, else the http(s) one bound to its port, else the only one. */
    private record ListenerChoice(FulcrumConfig config, String name) {

        ListenerConfig choose(URI target) throws InvalidArgument {
            List<ListenerConfig> http = config.listeners().stream().filter(l -> l.protocol().isHttp()).toList();
            if (name != null) {
                return http.stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow(() ->
                        new InvalidArgument("no http or https listener named " + name + "; there are " + names(http)));
            }
            Protocol protocol = target.getScheme().equalsIgnoreCase("https") ? Protocol.HTTPS : Protocol.HTTP;
            int port = target.getPort() != -1 ? target.getPort() : protocol == Protocol.HTTPS ? 443 : 80;
            List<ListenerConfig> sameScheme = http.stream().filter(l -> l.protocol() == protocol).toList();
            List<ListenerConfig> onPort = sameScheme.stream().filter(l -> l.bind().port() == port).toList();
            if (onPort.size() == 1) {
                return onPort.get(0);
            }
            if (onPort.isEmpty() && sameScheme.size() == 1) {
                return sameScheme.get(0);
            }
            throw new InvalidArgument((onPort.isEmpty() ? "no " + protocol.key() + " listener binds port " + port
                    : "several " + protocol.key() + " listeners bind port " + port)
                    + "; name one with --listener (" + names(sameScheme.isEmpty() ? http : sameScheme) + ")");
        }

        private static String names(List<ListenerConfig> listeners) {
            return listeners.isEmpty() ? "none" : listeners.stream()
                    .map(l -> l.name() + " " + l.protocol().key() + " " + l.bind())
                    .collect(Collectors.joining(", "));
        }
    }

    /** A URL, header or listener name on the command line that cannot be used. */
    private static final class InvalidArgument extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidArgument(String message) {
            super(message);
        }
    }
}
