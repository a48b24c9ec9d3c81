package dev.fulcrum.config;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Walks a composed YAML document into a {@link FulcrumConfig}, collecting every error. One
 * instance per parse. It reads the small top-level parts (workers, admin, certificates) itself
 * and hands each larger section to its reader: {@link PoolReader}, {@link ListenerReader} (with
 * {@link RouteReader}) and {@link HaReader}; checks across sections live in {@link References}.
 * The section names given to {@link MapReader} are the {@code $defs} names of the JSON schema
 * (the root is "fulcrum"): a test keeps the two in step.
 */
final class ConfigParser {

    static final String ROOT = "fulcrum";

    private final ParseContext ctx;
    private final References refs;

    ConfigParser(ParseContext ctx) {
        this.ctx = ctx;
        this.refs = new References(ctx);
    }

    /** The configuration, or null when errors were recorded. */
    FulcrumConfig parse(Node root) {
        if (!(root instanceof MappingNode)) {
            ctx.error(root, "", "expected a mapping with at least 'listeners', got " + Scalars.describe(root));
            return null;
        }
        FulcrumConfig config = MapReader.of(ctx, ROOT, root, "").map(r -> r.read(this::root)).orElse(null);
        return ctx.hasErrors() ? null : config;
    }

    private FulcrumConfig root(MapReader r) {
        // Names first: listeners refer to pools and certificates wherever they are written.
        List<MapReader.Entry> poolEntries = r.entries("pools", "a mapping of pool names to pools");
        poolEntries.forEach(e -> refs.declarePool(e.key()));
        Optional<Integer> workers = r.optional("workers", Scalars.integer(1, 4096));
        AdminConfig admin = r.section("admin", "admin", this::admin).orElse(AdminConfig.defaults());
        refs.defaultAdminBind(admin.bind());
        List<CertificateConfig> certificates = certificates(r);
        Map<String, PoolConfig> pools = new PoolReader(ctx, refs).pools(r, poolEntries);
        refs.pools(pools);
        List<ListenerConfig> listeners = new ListenerReader(ctx, refs).listeners(r);
        Optional<HaConfig> ha = r.section("ha", "ha", new HaReader(ctx, refs)::ha);

        refs.checkBindConflicts();
        return new FulcrumConfig(ctx.source(), workers, admin, certificates, listeners, pools, ha);
    }

    private AdminConfig admin(MapReader r) {
        Optional<Endpoint> bind = r.optional("bind", NetValues.endpoint(true));
        bind.ifPresent(b -> refs.bind(b, r, "bind", "the admin listener"));
        Optional<Path> token = r.optional("token_file", ctx.files().readableFile("token file"));
        return new AdminConfig(bind.orElse(AdminConfig.DEFAULT_BIND), token);
    }

    private List<CertificateConfig> certificates(MapReader r) {
        Map<String, Location> seen = new HashMap<>();
        FileValues files = ctx.files();
        return r.sections("certificates", "certificate", (cr, i) -> {
            Optional<String> name = cr.required("name", Scalars.name("certificate"));
            name.ifPresent(n -> {
                refs.declareCertificate(n);
                refs.unique(seen, n, cr, "certificate", null);
            });
            Optional<Path> cert = cr.required("cert", files.readableFile("certificate file"));
            Optional<Path> key = cr.required("key", files.readableFile("private key file"));
            Optional<Path> passphrase = cr.optional("passphrase_file", files.readableFile("passphrase file"));
            Optional<Path> ocsp = cr.optional("ocsp_response", files.readableFile("OCSP response file"));
            if (name.isEmpty() || cert.isEmpty() || key.isEmpty()) {
                return null;
            }
            return new CertificateConfig(name.get(), cert.get(), key.get(), cr.location(), passphrase, ocsp);
        });
    }
}
