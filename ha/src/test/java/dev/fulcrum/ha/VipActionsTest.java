package dev.fulcrum.ha;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.config.VipConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VipActionsTest {

    @Test
    void becomingMasterAddsAndAnnouncesTheVipsThenNotifiesAndLeavingRemovesThemFirst() {
        List<String> ran = new CopyOnWriteArrayList<>();
        VipActions actions = new VipActions(List.of(new VipConfig("10.0.0.100", 24, "eth0"),
                new VipConfig("2001:db8::100", 64, "eth1")), Map.of("master", List.of("notify-me"),
                "backup", List.of("notify-me")), command -> ran.add(String.join(" ", command)));
        actions.becameMaster("no master heard for 300 ms");
        actions.leftMaster(HaState.BACKUP, "split brain");
        assertThat(ran).containsExactly(
                "ip addr add 10.0.0.100/24 dev eth0",
                "arping -U -c 3 -I eth0 10.0.0.100",
                "ip addr add 2001:db8::100/64 dev eth1",
                "notify-me master no master heard for 300 ms",
                "ip addr del 10.0.0.100/24 dev eth0",
                "ip addr del 2001:db8::100/64 dev eth1",
                "notify-me backup split brain");
    }

    @Test
    void realProcessesRunAndFailuresAreReported(@TempDir Path dir) throws Exception {
        CommandRunner runner = CommandRunner.processes(Duration.ofSeconds(10));
        Path marker = dir.resolve("ran");
        assertThat(runner.run(List.of("touch", marker.toString()))).isTrue();
        assertThat(Files.exists(marker)).isTrue();
        assertThat(runner.run(List.of("false"))).isFalse();
        assertThat(runner.run(List.of("no-such-command-anywhere"))).isFalse();
    }
}
