package dev.fulcrum.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The files a configuration names are checked through a {@link FileProbe}: here a fake, no disk. */
class FileProbeTest {

    /** Nowhere on disk: any real file check would fail. */
    private static final Path BASE = Path.of("/nonexistent/fulcrum-test");

    private static final String YAML = """
            admin: {token_file: admin.token}
            certificates:
              - {name: site, cert: certs/site.crt, key: certs/site.key}
            listeners:
              - {name: web, bind: 0.0.0.0:8443, protocol: https, certificates: [site], routes: [{pool: app}],
                 access_log: {path: logs/access.log}}
            pools:
              app:
                sticky: {cookie: SID, key_file: sticky.key}
                servers: [{name: a1, address: 127.0.0.1:9001}]
            """;

    private static FakeFiles allFiles() {
        return new FakeFiles()
                .file(BASE.resolve("admin.token"), "token\n")
                .file(BASE.resolve("certs/site.crt"), "cert")
                .file(BASE.resolve("certs/site.key"), "key")
                .file(BASE.resolve("logs/.keep"), "")
                .file(BASE.resolve("sticky.key"), "0123456789abcdef0123456789abcdef\n");
    }

    private static ParseContext parse(FakeFiles files) {
        ParseContext ctx = new ParseContext("fake.yaml", BASE, files);
        ConfigLoader.parse(ctx, YAML);
        return ctx;
    }

    @Test
    void filesThatTheProbeKnowsAreAccepted() {
        ParseContext ctx = parse(allFiles());
        assertThat(ctx.errors()).isEmpty();
    }

    @Test
    void missingUnreadableAndShortFilesAreReportedWhereTheyAreNamed() {
        FakeFiles files = new FakeFiles()
                .unreadable(BASE.resolve("admin.token"))
                .file(BASE.resolve("certs/site.crt"), "cert")
                .file(BASE.resolve("logs/.keep"), "")
                .file(BASE.resolve("sticky.key"), " short \n");
        List<String> errors = parse(files).errors().stream().map(ConfigError::toString).toList();
        assertThat(errors).containsExactly(
                "fake.yaml:1:21: admin.token_file: token file 'admin.token' (" + BASE.resolve("admin.token")
                        + ") is not readable",
                "fake.yaml:3:45: certificates[0].key: private key file 'certs/site.key' ("
                        + BASE.resolve("certs/site.key") + ") does not exist; relative paths are resolved against"
                        + " the directory of the configuration file",
                "fake.yaml:9:37: pools.app.sticky.key_file: sticky key file '" + BASE.resolve("sticky.key")
                        + "' holds 5 characters; a key needs at least 16 (e.g. 32 random bytes, base64)");
    }

    @Test
    void theAccessLogDirectoryMustExist() {
        FakeFiles files = allFiles();
        ParseContext ctx = new ParseContext("fake.yaml", BASE, files);
        ConfigLoader.parse(ctx, YAML.replace("logs/access.log", "nologs/access.log"));
        assertThat(ctx.errors()).extracting(ConfigError::message)
                .containsExactly("the directory of access log 'nologs/access.log' does not exist ("
                        + BASE.resolve("nologs") + ")");
    }
}
