package dev.fulcrum.appliance.admin;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Headless Chromium for the status page tests. Where {@code FULCRUM_BROWSER_TESTS=required}
 * (CI sets it) a missing browser fails the test; elsewhere the test is skipped and says why.
 */
final class Chromium {

    static final String REQUIRED_ENV = "FULCRUM_BROWSER_TESTS";
    private static final Duration RUN_LIMIT = Duration.ofSeconds(60);

    private final Path binary;
    private final Path profile;

    private Chromium(Path binary, Path profile) {
        this.binary = binary;
        this.profile = profile;
    }

    /** The browser on the PATH with a private profile under {@code profile}, or the test skipped (or failed). */
    static Chromium require(Path profile) {
        for (String name : new String[] {"chromium", "chromium-browser"}) {
            Path found = onPath(name);
            if (found != null) {
                return new Chromium(found, profile);
            }
        }
        String missing = "'chromium' or 'chromium-browser' on the PATH (Debian package chromium)";
        if ("required".equals(System.getenv(REQUIRED_ENV))) {
            fail("the status page browser test cannot run here, and " + REQUIRED_ENV + "=required: no " + missing);
        }
        Assumptions.abort("the status page browser test needs " + missing + " (set " + REQUIRED_ENV
                + "=required to fail instead of skipping)");
        throw new AssertionError("unreachable");
    }

    /** The DOM once the page's scripts ran for {@code virtualMillis} of virtual time. */
    String dumpDom(String url, int virtualMillis) throws Exception {
        return run(List.of("--virtual-time-budget=" + virtualMillis, "--dump-dom", url));
    }

    /** A PNG of the page at the window's size, once its scripts ran for {@code virtualMillis}. */
    void screenshot(String url, Path png, int width, int height, int virtualMillis) throws Exception {
        run(List.of("--virtual-time-budget=" + virtualMillis, "--window-size=" + width + "," + height,
                "--screenshot=" + png.toAbsolutePath(), url));
    }

    private String run(List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--headless", "--disable-gpu",
                // No sandbox: it cannot start as root, which is how CI runs; the page is our own.
                "--no-sandbox", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
                "--user-data-dir=" + profile.toAbsolutePath()));
        command.addAll(args);
        Path out = Files.createTempFile(profile.getParent(), "chromium", ".out");
        Path err = Files.createTempFile(profile.getParent(), "chromium", ".err");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .start();
        try {
            if (!process.waitFor(RUN_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                fail("chromium did not finish within " + RUN_LIMIT + ": " + command + "\n" + tail(err));
            }
            if (process.exitValue() != 0) {
                fail("chromium exited with " + process.exitValue() + ": " + command + "\n" + tail(err));
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            // Chromium starts helpers (zygote, renderer, GPU): none may outlive the test.
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.onExit().get(10, TimeUnit.SECONDS);
        }
    }

    private static String tail(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        return text.length() <= 4000 ? text : text.substring(text.length() - 4000);
    }

    private static Path onPath(String tool) {
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "/usr/sbin:/usr/bin:/sbin:/bin" : path).split(":")) {
            Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
