package dev.fulcrum.ha;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.config.VipCommand;
import dev.fulcrum.config.VipConfig;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class MastershipActionsTest {

    private final List<String> ran = new CopyOnWriteArrayList<>();
    private final CommandRunner recorder = new CommandRunner() {
        @Override
        public boolean run(List<String> command) {
            ran.add(String.join(" ", command));
            return true;
        }

        @Override
        public void spawn(List<String> command) {
            ran.add("& " + String.join(" ", command));
        }
    };

    @Test
    void becomingMasterAddsThenAnnouncesThenMovesThenNotifiesAndLeavingRemovesTheAddressesFirst() {
        List<VipConfig> vips = List.of(new VipConfig("10.0.0.100", 24, "eth0"),
                new VipConfig("2001:db8::100", 64, "eth1"));
        MastershipStep listeners = new MastershipStep() {
            @Override
            public void acquire(String reason) {
                ran.add("bind listeners");
            }

            @Override
            public void release(HaState now, String reason) {
                ran.add("unbind listeners");
            }
        };
        MastershipActions actions = new MastershipActions(List.of(new VirtualAddresses(vips, recorder), listeners,
                new GratuitousArp(vips, recorder), new VipCommandStep(new VipCommand(List.of("move-ip", "--here"),
                        List.of("move-ip", "--away")), recorder)),
                Map.of("master", List.of("notify-me"), "backup", List.of("notify-me")), recorder);

        actions.becameMaster("no master heard for 300 ms");
        actions.leftMaster(HaState.BACKUP, "split brain");

        assertThat(ran).containsExactly(
                "ip addr replace 10.0.0.100/24 dev eth0",
                "ip addr replace 2001:db8::100/64 dev eth1 nodad",
                "bind listeners",
                "& arping -U -c 3 -I eth0 10.0.0.100",
                "move-ip --here master no master heard for 300 ms",
                "notify-me master no master heard for 300 ms",
                "ip addr del 10.0.0.100/24 dev eth0",
                "ip addr del 2001:db8::100/64 dev eth1",
                "unbind listeners",
                "move-ip --away backup split brain",
                "notify-me backup split brain");
    }

    @Test
    void afterASplitBrainTheStayingMasterAnnouncesAndMovesTheVipAgain() {
        List<VipConfig> vips = List.of(new VipConfig("10.0.0.100", 24, "eth0"));
        MastershipActions actions = new MastershipActions(List.of(new VirtualAddresses(vips, recorder),
                new GratuitousArp(vips, recorder), new VipCommandStep(new VipCommand(List.of("move-ip"), List.of()),
                        recorder)), Map.of("master", List.of("notify-me")), recorder);

        actions.reassert("split brain with lb-b");

        assertThat(ran).containsExactly("& arping -U -c 3 -I eth0 10.0.0.100",
                "move-ip master split brain with lb-b");
    }

    @Test
    void aFailingStepDoesNotStopTheOthersOrTheNotify() {
        MastershipStep broken = reason -> {
            throw new IllegalStateException("cannot bind");
        };
        MastershipActions actions = new MastershipActions(List.of(broken,
                new VipCommandStep(new VipCommand(List.of("move-ip"), List.of()), recorder)),
                Map.of("master", List.of("notify-me"), "fault", List.of("notify-me")), recorder);

        actions.becameMaster("elected");
        actions.leftMaster(HaState.FAULT, "pool web down");
        actions.changed(HaState.FAULT, HaState.BACKUP, "tracked conditions pass again");

        // No release command configured: leaving runs only the notify; no backup notify either.
        assertThat(ran).containsExactly("move-ip master elected", "notify-me master elected",
                "notify-me fault pool web down");
    }

    @Test
    void leftoverAddressesAreClearedOnlyWhenAssigned() {
        // Loopback always holds 127.0.0.1; no interface holds a documentation address.
        MastershipActions actions = new MastershipActions(List.of(new VirtualAddresses(List.of(
                new VipConfig("127.0.0.1", 8, "lo"), new VipConfig("192.0.2.77", 24, "lo")), recorder)),
                Map.of(), recorder);

        actions.clearLeftovers();

        assertThat(ran).containsExactly("ip addr del 127.0.0.1/8 dev lo");
    }
}
