package dev.fulcrum.appliance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether Linux reports a network interface down (sysfs {@code operstate}). */
final class InterfaceState {

    private static final Path SYS_NET = Path.of("/sys/class/net");

    private InterfaceState() {
    }

    /**
     * True only when the kernel says {@code down}: an unknown state (virtual interfaces often say
     * {@code unknown}) or a system without sysfs does not count as a failure.
     */
    static boolean isDown(String iface) {
        return isDown(SYS_NET, iface);
    }

    static boolean isDown(Path sysNet, String iface) {
        try {
            return Files.readString(sysNet.resolve(iface).resolve("operstate")).strip().equals("down");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
