package dev.fulcrum.appliance.ha;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small LAN of network namespaces made for one test and removed after it: a bridge in the
 * {@code lan} namespace (which also holds the client and the backend, at {@code .10}), and one
 * namespace per load balancer node, each wired to the bridge by a veth pair whose node end is
 * {@code eth0}. The addresses are private to these namespaces; nothing reaches the host's
 * networks.
 */
final class TestLan implements AutoCloseable {

    static final String PREFIX = "10.213.0.";
    static final String LAN_ADDRESS = PREFIX + "10";
    private static final long COMMAND_SECONDS = 10;

    private final String lan;
    private final List<String> namespaces = new ArrayList<>();

    private TestLan(String name) {
        this.lan = name + "-lan";
    }

    /** @param name unique on this machine (the test JVM's pid in it), at most 10 characters */
    static TestLan create(String name) throws IOException, InterruptedException {
        TestLan made = new TestLan(name);
        try {
            made.addNamespace(made.lan);
            made.ip("-n", made.lan, "link", "add", "br0", "type", "bridge");
            made.ip("-n", made.lan, "addr", "add", LAN_ADDRESS + "/24", "dev", "br0");
            made.ip("-n", made.lan, "link", "set", "br0", "up");
            return made;
        } catch (IOException | InterruptedException | RuntimeException e) {
            made.close();
            throw e;
        }
    }

    String lan() {
        return lan;
    }

    /** A namespace for a node, its {@code eth0} at {@code PREFIX + host} on the bridge. */
    String addNode(String node, int host) throws IOException, InterruptedException {
        String ns = lan.substring(0, lan.length() - "lan".length()) + node;
        addNamespace(ns);
        String port = "p-" + node;
        ip("-n", lan, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns);
        ip("-n", lan, "link", "set", port, "master", "br0");
        ip("-n", lan, "link", "set", port, "up");
        ip("-n", ns, "addr", "add", PREFIX + host + "/24", "dev", "eth0");
        ip("-n", ns, "link", "set", "eth0", "up");
        return ns;
    }

    private void addNamespace(String ns) throws IOException, InterruptedException {
        run(List.of("ip", "netns", "add", ns));
        namespaces.add(ns);
        ip("-n", ns, "link", "set", "lo", "up");
    }

    /** Whether {@code address} is on the namespace's {@code eth0} now. */
    boolean holds(String ns, String address) throws IOException, InterruptedException {
        return ip("-n", ns, "-o", "addr", "show", "dev", "eth0").contains(" " + address + "/");
    }

    /** Starts {@code command} in namespace {@code ns} ({@code ip netns exec} execs it: same pid). */
    Process start(String ns, List<String> command, Path output) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true);
        if (output != null) {
            builder.redirectOutput(output.toFile());
        }
        return builder.start();
    }

    String ip(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        return run(command);
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Path output = Files.createTempFile("fulcrum-ip", ".out");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            if (!process.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(command + " did not finish in " + COMMAND_SECONDS + "s");
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IOException(command + " exited " + process.exitValue() + ": " + text.strip());
            }
            return text;
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /** Deleting a namespace takes its interfaces (veths, bridge) with it. */
    @Override
    public void close() {
        for (String ns : namespaces) {
            try {
                run(List.of("ip", "netns", "del", ns));
            } catch (IOException e) {
                System.err.println("could not remove namespace " + ns + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        namespaces.clear();
    }
}
