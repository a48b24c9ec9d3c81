package dev.fulcrum.config;

import static dev.fulcrum.config.Fixtures.errors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile or broken input: the loader refuses it quickly, with a position where there is one. */
class YamlSafetyTest {

    @TempDir
    Path dir;

    static final String VALID = """
            listeners:
              - {name: web, bind: 0.0.0.0:8080, protocol: http, routes: [{pool: app}]}
            pools:
              app:
                servers: [{name: a1, address: 127.0.0.1:9001}]
            """;

    @Test
    void billionLaughsIsRefusedQuickly() {
        String laughs = """
                a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
                b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
                c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
                d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
                e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
                f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
                g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
                h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
                i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
                listeners: *i
                """;
        List<String> errors = assertTimeoutPreemptively(Duration.ofSeconds(2), () -> errors(laughs, dir));
        assertThat(errors).containsExactly("1:1: too many aliases (*name) to lists or mappings: the limit is 50"
                + " per file (this guards against exponential \"billion laughs\" documents)");
    }

    @Test
    void aliasesWithinTheLimitAreFine() {
        String yaml = VALID + "x: &x [1]\ny: [" + "*x,".repeat(40) + "*x]\n";
        assertThat(errors(yaml, dir)).containsExactly(
                "6:1: x: unknown key 'x' in fulcrum; expected one of: pools, workers, admin, certificates,"
                        + " listeners, ha",
                "7:1: y: unknown key 'y' in fulcrum; expected one of: pools, workers, admin, certificates,"
                        + " listeners, ha");
    }

    @Test
    void deepNestingIsRefused() {
        String yaml = "listeners: " + "[".repeat(200) + "]".repeat(200) + "\n";
        assertThat(errors(yaml, dir)).containsExactly(
                "1:1: lists and mappings are nested too deeply: the limit is 50 levels");
    }

    @Test
    void oversizeFileIsRefusedByItsSizeBeforeReading() throws Exception {
        Path big = dir.resolve("big.yaml");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(100L * 1024 * 1024);
        }
        ConfigException e = assertTimeoutPreemptively(Duration.ofMillis(500),
                () -> catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(big)));
        assertThat(e.errors()).singleElement().hasToString(big + ":1:1: the file is 104857600 bytes, larger than"
                + " the limit of 4MiB for a configuration");
    }

    @Test
    void oversizeTextIsRefused() {
        String yaml = "# " + "x".repeat((int) ConfigLoader.MAX_FILE_BYTES) + "\n";
        assertThat(errors(yaml, dir)).singleElement().asString().contains("larger than the limit of 4MiB");
    }

    @Test
    void syntaxErrorsCarryTheirPosition() {
        assertThat(errors("""
                listeners:
                  - {name: web, bind: 0.0.0.0:8080
                pools: {}
                """, dir)).containsExactly("3:6: invalid YAML: expected ',' or '}', but got : (while parsing a flow"
                + " mapping started at line 2, column 5)");
        assertThat(errors("listeners:\n\t- a\n", dir)).containsExactly("2:1: invalid YAML: found character '\\t(TAB)'"
                + " that cannot start any token. (Do not use \\t(TAB) for indentation) (while scanning for the next"
                + " token)");
        assertThat(errors("listeners: *nope\n", dir)).containsExactly("1:12: invalid YAML: found undefined alias nope");
        assertThat(errors(VALID + "---\nworkers: 2\n", dir)).containsExactly("6:1: invalid YAML: but found another"
                + " document (expected a single document in the stream started at line 1, column 1)");
        assertThat(errors("listeners:\n  name: a\n - b\n", dir)).singleElement().asString().startsWith("3:2: invalid YAML:");
    }

    @Test
    void duplicateKeysAreReportedEveryOneWithBothPositions() {
        assertThat(errors(VALID + "workers: 1\nworkers: 2\nworkers: 3\n", dir)).containsExactly(
                "7:1: workers: duplicate key 'workers' (first defined at line 6, column 1); each key may appear once",
                "8:1: workers: duplicate key 'workers' (first defined at line 6, column 1); each key may appear once");
    }

    @Test
    void mergeKeysAndComplexKeysAreRefused() {
        assertThat(errors("""
                base: &base {bind: 0.0.0.0:8080, protocol: http}
                """, dir)).contains("1:1: base: unknown key 'base' in fulcrum; expected one of: pools, workers,"
                + " admin, certificates, listeners, ha");
        assertThat(errors("""
                listeners:
                  - <<: {bind: 0.0.0.0:8080, protocol: http}
                    name: web
                    routes: [{pool: app}]
                    ? [a, b]
                    : c
                pools:
                  app:
                    servers: [{name: a1, address: 127.0.0.1:9001}]
                """, dir)).containsExactly(
                "2:5: listeners[0]: YAML merge keys ('<<') are not supported; write the keys out",
                "2:5: listeners[0]: missing required key 'bind'",
                "2:5: listeners[0]: missing required key 'protocol'",
                "5:7: listeners[0]: expected a plain key, got a list");
    }

    @Test
    void javaTypeTagsAreInert() {
        // Only nodes are composed, never objects; and global tags are refused outright.
        assertThat(errors("workers: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL"
                + " [\"http://localhost/\"]]]]\n" + VALID, dir))
                .containsExactly("1:10: invalid YAML: Global tag is not allowed:"
                        + " tag:yaml.org,2002:javax.script.ScriptEngineManager");
        // A local tag is inert: the value is judged like any other.
        assertThat(errors("workers: !thing [1]\n" + VALID, dir))
                .containsExactly("1:10: workers: expected an integer between 1 and 4096, got a list");
    }

    @Test
    void missingFileDirectoryAndBadEncoding() throws Exception {
        Path missing = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> ConfigLoader.load(missing)).isInstanceOf(ConfigException.class)
                .hasMessage(missing + ":1:1: no such file");
        assertThatThrownBy(() -> ConfigLoader.load(dir)).isInstanceOf(ConfigException.class)
                .hasMessage(dir + ":1:1: is a directory; expected a YAML configuration file");
        Path latin1 = dir.resolve("latin1.yaml");
        Files.write(latin1, "# caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> ConfigLoader.load(latin1)).isInstanceOf(ConfigException.class)
                .hasMessage(latin1 + ":1:1: not valid UTF-8 text");
    }

    @Test
    void loadResolvesRelativePathsAgainstTheFilesDirectory() throws Exception {
        Path conf = Files.createDirectories(dir.resolve("etc/fulcrum"));
        Fixtures.files(conf);
        Path file = conf.resolve("fulcrum.yaml");
        Files.writeString(file, "\uFEFFadmin: {token_file: admin.token}\n"
                + "certificates: [{name: site, cert: certs/site.crt, key: ./certs/../certs/site.key}]\n" + VALID);
        FulcrumConfig c = ConfigLoader.load(file);
        assertThat(c.source()).isEqualTo(file.toString());
        assertThat(c.admin().tokenFile()).contains(conf.toAbsolutePath().resolve("admin.token"));
        assertThat(c.certificates().get(0).cert()).isEqualTo(conf.toAbsolutePath().resolve("certs/site.crt"));
        assertThat(c.certificates().get(0).key()).isEqualTo(conf.toAbsolutePath().resolve("certs/site.key"));
    }

    @Test
    void errorsFromLoadNameTheFileAsGiven() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, VALID.replace("protocol: http", "protocol: htp"));
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file));
        assertThat(e.errors()).singleElement().satisfies(err -> {
            assertThat(err.location()).isEqualTo(new Location(file.toString(), 2, 47));
            assertThat(err.path()).isEqualTo("listeners[0].protocol");
        });
        assertThat(e.getMessage()).isEqualTo(file + ":2:47: listeners[0].protocol: unknown protocol 'htp';"
                + " did you mean 'http'? (expected one of http, https, tcp, tls)");
    }
}
