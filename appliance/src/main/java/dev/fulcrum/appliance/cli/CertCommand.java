package dev.fulcrum.appliance.cli;

import dev.fulcrum.tls.SelfSigned;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fulcrum cert --host NAME --out DIR}: a self-signed pair for trying TLS, never for production. */
@Command(name = "cert", description = "Write a self-signed certificate and key (PEM) for trying TLS.")
final class CertCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--host", required = true, paramLabel = "NAME", description = "Host name (or IP) the certificate names.")
    String host;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write NAME.crt and NAME.key to.")
    Path out;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        try {
            SelfSigned.Written written = SelfSigned.write(host, out);
            stdout.println("certificate: " + written.cert());
            stdout.println("key:         " + written.key());
            stdout.println("in a configuration: certificates: [{name: " + host.replaceAll("[^A-Za-z0-9_.-]", "-")
                    + ", cert: " + written.cert() + ", key: " + written.key() + "}]");
            stdout.flush();
            return ExitCodes.OK;
        } catch (IOException e) {
            spec.commandLine().getErr().println("cannot write to " + out + ": " + e.getMessage());
            spec.commandLine().getErr().flush();
            return ExitCodes.INVALID_INPUT;
        }
    }
}
