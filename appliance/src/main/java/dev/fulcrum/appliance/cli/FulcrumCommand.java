package dev.fulcrum.appliance.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code fulcrum} command line: {@code run}, {@code validate}, {@code route}, {@code version}. */
@Command(name = "fulcrum",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Fulcrum: a layer-4/layer-7 load balancer.",
        subcommands = {RunCommand.class, ValidateCommand.class, RouteCommand.class, CertCommand.class, VersionCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeOnInvalidInput = ExitCodes.USAGE,
        exitCodeOnExecutionException = ExitCodes.INVALID_INPUT)
public final class FulcrumCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** A fresh command line; tests run it in-process with their own writers. */
    public static CommandLine commandLine() {
        return new CommandLine(new FulcrumCommand()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    /** {@code fulcrum} alone is a usage error: say what the subcommands are. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand");
    }
}
