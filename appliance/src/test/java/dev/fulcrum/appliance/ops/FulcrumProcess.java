package dev.fulcrum.appliance.ops;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A real {@code fulcrum run} process on this JVM's class path, for tests of signals and shutdown. */
final class FulcrumProcess {

    private FulcrumProcess() {
    }

    /** Starts {@code run --config FILE} plus {@code extra}, its output (both streams) to {@code log}. */
    static Process start(Path config, Path log, String... extra) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "dev.fulcrum.appliance.cli.FulcrumCommand", "run", "--config", config.toString()));
        command.addAll(List.of(extra));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** The address of the http listener {@code name}, once the process printed it (on loopback). */
    static InetSocketAddress listener(Path log, String name) throws IOException {
        Pattern listening = Pattern.compile("listener " + Pattern.quote(name) + " on /127\\.0\\.0\\.1:(\\d+)");
        await("listener " + name).atMost(Duration.ofSeconds(60))
                .until(() -> listening.matcher(Files.readString(log)).find());
        Matcher port = listening.matcher(Files.readString(log));
        port.find();
        return new InetSocketAddress("127.0.0.1", Integer.parseInt(port.group(1)));
    }

    /** True when a connection to {@code address} is refused: nothing listens there. */
    static boolean refused(InetSocketAddress address) {
        try (Socket socket = new Socket()) {
            socket.connect(address, 1000);
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
