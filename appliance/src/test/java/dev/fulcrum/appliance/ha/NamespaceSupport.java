package dev.fulcrum.appliance.ha;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Whether this machine can run the namespace tests: root, {@code ip} and {@code arping}. Where
 * {@code FULCRUM_HA_E2E=required} (CI sets it) a missing piece fails the test; elsewhere (a
 * developer's machine without root) the test is skipped and says why.
 */
final class NamespaceSupport {

    static final String REQUIRED_ENV = "FULCRUM_HA_E2E";

    private NamespaceSupport() {
    }

    static void require() {
        String missing = missing();
        if (missing == null) {
            return;
        }
        if ("required".equals(System.getenv(REQUIRED_ENV))) {
            fail("the HA end-to-end test cannot run here, and " + REQUIRED_ENV + "=required: " + missing);
        }
        Assumptions.abort("the HA end-to-end test needs " + missing + " (set " + REQUIRED_ENV
                + "=required to fail instead of skipping)");
    }

    private static String missing() {
        if (!System.getProperty("os.name").equals("Linux")) {
            return "Linux";
        }
        if (new com.sun.security.auth.module.UnixSystem().getUid() != 0) {
            return "root (network namespaces and addresses)";
        }
        for (String tool : new String[] {"ip", "arping"}) {
            if (!onPath(tool)) {
                return "'" + tool + "' on the PATH (packages iproute2 and iputils-arping)";
            }
        }
        return null;
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "/usr/sbin:/usr/bin:/sbin:/bin" : path).split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
