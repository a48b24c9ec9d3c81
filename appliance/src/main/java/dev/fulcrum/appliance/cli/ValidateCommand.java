package dev.fulcrum.appliance.cli;

import dev.fulcrum.config.ConfigError;
import dev.fulcrum.config.ConfigException;
import dev.fulcrum.config.ConfigLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
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
                ConfigLoader.load(file);
                out.println(file + ": OK");
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
}
