package dev.fulcrum.appliance.cli;

import dev.fulcrum.config.ConfigError;
import dev.fulcrum.config.ConfigException;
import dev.fulcrum.config.CertificateConfig;
import dev.fulcrum.config.ConfigLoader;
import dev.fulcrum.config.FulcrumConfig;
import dev.fulcrum.tls.CertificateChecks;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fulcrum validate FILE...}: every error of every file, positioned, without starting anything. */
@Command(name = "validate", description = "Check configuration files; print FILE: OK or every error as FILE:LINE:COL: message.")
final class ValidateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "YAML configuration files.")
    List<Path> files;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int exit = ExitCodes.OK;
        for (Path file : files) {
            try {
                FulcrumConfig config = ConfigLoader.load(file);
                int problems = checkCertificates(config, err);
                if (problems == 0) {
                    out.println(file + ": OK");
                } else {
                    err.println(file + ": " + problems + (problems == 1 ? " error" : " errors"));
                    exit = ExitCodes.INVALID_INPUT;
                }
            } catch (ConfigException e) {
                List<ConfigError> errors = e.errors();
                errors.forEach(err::println);
                err.println(file + ": " + errors.size() + (errors.size() == 1 ? " error" : " errors"));
                exit = ExitCodes.INVALID_INPUT;
            }
        }
        out.flush();
        err.flush();
        return exit;
    }

    /**
     * Reads every certificate and key the file names: mismatched keys, chains out of order and
     * expired certificates are errors; a certificate expiring within 30 days is a warning.
     *
     * @return the number of errors printed
     */
    private static int checkCertificates(FulcrumConfig config, PrintWriter err) {
        int errors = 0;
        for (CertificateConfig certificate : config.certificates()) {
            for (CertificateChecks.Finding finding : CertificateChecks.check(certificate, Instant.now())) {
                boolean error = finding.severity() == CertificateChecks.Severity.ERROR;
                err.println(certificate.location() + ": certificates." + certificate.name() + ": "
                        + (error ? "" : "warning: ") + finding.message());
                errors += error ? 1 : 0;
            }
        }
        return errors;
    }
}
