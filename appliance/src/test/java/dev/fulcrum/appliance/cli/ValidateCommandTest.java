package dev.fulcrum.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.tls.SelfSigned;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCommandTest {

    private static final String GOOD = """
            listeners:
              - name: web
                bind: 127.0.0.1:8080
                protocol: http
                routes:
                  - {name: video, match: {path_prefix: /video}, pool: video}
            pools:
              video:
                servers:
                  - {name: video-1, address: 127.0.0.1:9001}
            """;

    /** Five different mistakes, on lines 3, 6, 7, 10 and 13. */
    private static final String FIVE_MISTAKES = """
            listeners:
              - name: web
                bind: 127.0.0.1:99999
                protocol: http
                routes:
                  - {name: video, match: {path_prefx: /video}, pool: video}
                  - {name: billing, pool: billing}
            pools:
              video:
                balance: round_robbin
                servers:
                  - {name: video-1, address: 127.0.0.1:9001}
                  - {name: video-1, address: 127.0.0.1:9002}
            """;

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void aGoodFileIsOk() throws IOException {
        Path file = write("good.yaml", GOOD);

        CliRun run = CliRun.of("validate", file.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo(file + ": OK\n");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void fiveMistakesAreAllReportedWithTheirLineAndColumn() throws IOException {
        Path file = write("bad.yaml", FIVE_MISTAKES);

        CliRun run = CliRun.of("validate", file.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().lines())
                .anySatisfy(line -> assertThat(line).startsWith(file + ":3:11: ").contains("99999"))
                .anySatisfy(line -> assertThat(line).startsWith(file + ":6:31: ").contains("did you mean 'path_prefix'"))
                .anySatisfy(line -> assertThat(line).startsWith(file + ":7:31: ").contains("billing"))
                .anySatisfy(line -> assertThat(line).startsWith(file + ":10:14: ").contains("round_robin"))
                .anySatisfy(line -> assertThat(line).startsWith(file + ":13:16: ").contains("video-1"))
                .contains(file + ": 5 errors");
    }

    @Test
    void everyFileIsCheckedAndOneBadFileFailsTheRun() throws IOException {
        Path good = write("good.yaml", GOOD);
        Path bad = write("bad.yaml", FIVE_MISTAKES);

        CliRun run = CliRun.of("validate", bad.toString(), good.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains(good + ": OK");
        assertThat(run.err()).contains(bad + ": 5 errors");
    }

    @Test
    void aMissingFileIsInvalidInputNotAUsageError() {
        Path missing = dir.resolve("missing.yaml");

        CliRun run = CliRun.of("validate", missing.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains(missing.toString()).contains("1 error");
    }

    @Test
    void aKeyThatDoesNotMatchItsCertificateIsAnError() throws IOException {
        SelfSigned.Written one = SelfSigned.write("one.example", dir.resolve("one"));
        SelfSigned.Written other = SelfSigned.write("other.example", dir.resolve("other"));
        Path file = write("tls.yaml", """
                certificates:
                  - {name: site, cert: %s, key: %s}
                listeners:
                  - {name: web, bind: 127.0.0.1:8443, protocol: https, certificates: [site], routes: [{pool: app}]}
                pools:
                  app:
                    servers: [{name: a, address: 127.0.0.1:9001}]
                """.formatted(one.cert(), other.key()));

        CliRun run = CliRun.of("validate", file.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains(file + ":2:5: certificates.site: ").contains("does not match");
        assertThat(run.err()).contains(file + ": 1 error");
    }

    @Test
    void certWritesAPairThatValidates() throws IOException {
        CliRun cert = CliRun.of("cert", "--host", "demo.localhost", "--out", dir.resolve("certs").toString());
        assertThat(cert.exitCode()).isZero();
        Path crt = dir.resolve("certs/demo.localhost.crt");
        Path key = dir.resolve("certs/demo.localhost.key");
        assertThat(crt).exists();
        assertThat(key).exists();
        Path file = write("ok.yaml", """
                certificates:
                  - {name: site, cert: %s, key: %s}
                listeners:
                  - {name: web, bind: 127.0.0.1:8443, protocol: https, certificates: [site], routes: [{pool: app}]}
                pools:
                  app:
                    servers: [{name: a, address: 127.0.0.1:9001}]
                """.formatted(crt, key));
        assertThat(CliRun.of("validate", file.toString()).exitCode()).isZero();
    }
}
