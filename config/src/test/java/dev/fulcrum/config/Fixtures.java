package dev.fulcrum.config;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Test helpers: a directory holding the files configurations refer to, and error extraction. */
final class Fixtures {

    static final String SOURCE = "test.yaml";

    private Fixtures() {
    }

    /** Creates certs/site.crt, certs/site.key, admin.token and ha.secret under {@code dir}. */
    static Path files(Path dir) {
        try {
            Files.createDirectories(dir.resolve("certs"));
            Files.writeString(dir.resolve("certs/site.crt"), "-----BEGIN CERTIFICATE-----\n");
            Files.writeString(dir.resolve("certs/site.key"), "-----BEGIN PRIVATE KEY-----\n");
            Files.writeString(dir.resolve("admin.token"), "token\n");
            Files.writeString(dir.resolve("ha.secret"), "secret\n");
            Files.writeString(dir.resolve("sticky.key"), "0123456789abcdef0123456789abcdef\n");
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static FulcrumConfig parse(String yaml, Path dir) {
        try {
            return ConfigLoader.parse(SOURCE, yaml, dir);
        } catch (ConfigException e) {
            return fail("expected a valid configuration, got:\n" + e.getMessage());
        }
    }

    /** The errors of an invalid document, each as {@code LINE:COL: path: message} (file name dropped). */
    static List<String> errors(String yaml, Path dir) {
        try {
            ConfigLoader.parse(SOURCE, yaml, dir);
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::toString)
                    .map(s -> s.substring(SOURCE.length() + 1)).toList();
        }
        return fail("expected errors, but the configuration is valid:\n" + yaml);
    }

    static void assertInvalid(String yaml, Path dir) {
        assertThatThrownBy(() -> ConfigLoader.parse(SOURCE, yaml, dir)).isInstanceOf(ConfigException.class);
    }
}
