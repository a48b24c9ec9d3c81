package dev.fulcrum.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InterfaceStateTest {

    @Test
    void onlyAnInterfaceTheKernelReportsDownCountsAsDown(@TempDir Path sys) throws Exception {
        Files.createDirectories(sys.resolve("eth0"));
        Files.writeString(sys.resolve("eth0/operstate"), "down\n");
        Files.createDirectories(sys.resolve("eth1"));
        Files.writeString(sys.resolve("eth1/operstate"), "up\n");
        Files.createDirectories(sys.resolve("lo"));
        Files.writeString(sys.resolve("lo/operstate"), "unknown\n");
        assertThat(InterfaceState.isDown(sys, "eth0")).isTrue();
        assertThat(InterfaceState.isDown(sys, "eth1")).isFalse();
        assertThat(InterfaceState.isDown(sys, "lo")).isFalse();
        assertThat(InterfaceState.isDown(sys, "missing0")).isFalse();
    }
}
