package dev.fulcrum.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every transition of the state machine, driven by a fake clock. */
class HaStateMachineTest {

    private static final Duration INTERVAL = Duration.ofMillis(100);

    private long now;
    private final List<String> transitions = new ArrayList<>();

    private HaStateMachine node(String name, int priority, boolean preempt, Duration preemptDelay) {
        HaSettings settings = new HaSettings(name, priority, INTERVAL, INTERVAL.multipliedBy(3), preempt, preemptDelay);
        return new HaStateMachine(settings, () -> now, (from, to, why) -> transitions.add(from.key() + " -> "
                + to.key() + ": " + why));
    }

    private HaStateMachine node(String name, int priority) {
        return node(name, priority, true, Duration.ZERO);
    }

    private void advance(Duration by) {
        now += by.toNanos();
    }

    private static Advert advert(String node, int priority, HaState state) {
        return new Advert(node, priority, state, 1, 0);
    }

    @Test
    void aLoneNodeBecomesMasterAfterDeadAfter() {
        HaStateMachine a = node("lb-a", 100);
        a.start();
        assertThat(a.state()).isEqualTo(HaState.BACKUP);
        advance(Duration.ofMillis(299));
        a.tick();
        assertThat(a.state()).isEqualTo(HaState.BACKUP);
        advance(Duration.ofMillis(1));
        a.tick();
        assertThat(a.state()).isEqualTo(HaState.MASTER);
        assertThat(transitions).containsExactly("init -> backup: started",
                "backup -> master: no master heard for 300 ms");
    }

    @Test
    void aBackupHearingTheMasterStaysBackupAndTakesOverWhenItFallsSilent() {
        HaStateMachine b = node("lb-b", 100);
        b.start();
        for (int i = 0; i < 10; i++) {
            advance(INTERVAL);
            b.onAdvert(advert("lb-a", 200, HaState.MASTER));
            b.tick();
        }
        assertThat(b.state()).isEqualTo(HaState.BACKUP);
        advance(Duration.ofMillis(300));
        b.tick();
        assertThat(b.state()).isEqualTo(HaState.MASTER);
        assertThat(transitions).last().isEqualTo("backup -> master: master lb-a silent for 300 ms");
    }

    @Test
    void aMasterGivingUpIsReplacedAtOnce() {
        HaStateMachine b = node("lb-b", 100);
        b.start();
        b.onAdvert(advert("lb-a", 200, HaState.MASTER));
        advance(Duration.ofMillis(10));
        b.onAdvert(advert("lb-a", 0, HaState.MASTER));
        assertThat(b.state()).isEqualTo(HaState.MASTER);
        assertThat(transitions).last().isEqualTo("backup -> master: master lb-a gave up (priority 0)");
    }

    @Test
    void aHigherPriorityBackupPreemptsAfterItsDelay() {
        HaStateMachine a = node("lb-a", 200, true, Duration.ofMillis(250));
        a.start();
        a.advertSent();
        a.onAdvert(advert("lb-b", 100, HaState.MASTER));
        advance(Duration.ofMillis(100));
        a.advertSent();
        a.onAdvert(advert("lb-b", 100, HaState.MASTER));
        a.tick();
        assertThat(a.state()).isEqualTo(HaState.BACKUP);
        advance(Duration.ofMillis(160));
        a.onAdvert(advert("lb-b", 100, HaState.MASTER));
        a.tick();
        assertThat(a.state()).isEqualTo(HaState.MASTER);
        assertThat(transitions).last().isEqualTo("backup -> master: preempting lb-b: this node ranks higher");
    }

    @Test
    void aBackupPreemptsOnlyOnceTwoOfItsAdvertsHaveGoneOut() {
        HaStateMachine a = node("lb-a", 200, true, Duration.ZERO);
        a.start();
        // A slow start: the first tick comes late, and with it the first advert.
        advance(Duration.ofMillis(250));
        a.advertSent();
        a.onAdvert(advert("lb-b", 100, HaState.MASTER));
        a.tick();
        assertThat(a.state()).as("one advert out: the master may not have heard it").isEqualTo(HaState.BACKUP);
        advance(INTERVAL);
        a.advertSent();
        a.onAdvert(advert("lb-b", 100, HaState.MASTER));
        assertThat(a.state()).isEqualTo(HaState.MASTER);
        assertThat(transitions).last().isEqualTo("backup -> master: preempting lb-b: this node ranks higher");
    }

    @Test
    void aMasterPreemptedByALiveBackupYieldsWithoutCallingItSplitBrain() {
        HaStateMachine b = node("lb-b", 100);
        b.start();
        advance(Duration.ofMillis(300));
        b.tick();
        advance(INTERVAL);
        b.onAdvert(advert("lb-a", 200, HaState.BACKUP));
        advance(INTERVAL);
        b.onAdvert(advert("lb-a", 200, HaState.MASTER));
        assertThat(b.state()).isEqualTo(HaState.BACKUP);
        assertThat(transitions).last().isEqualTo("master -> backup: preempted by lb-a (priority 200)");
    }

    @Test
    void aMasterHearingAPeerComeBackFromSilenceClaimsItsAddressesAgain() {
        List<String> reasserted = new ArrayList<>();
        HaStateMachine a = new HaStateMachine(new HaSettings("lb-a", 200, INTERVAL, INTERVAL.multipliedBy(3),
                true, Duration.ZERO), () -> now, new HaStateMachine.Listener() {
                    @Override
                    public void transition(HaState from, HaState to, String reason) {
                    }

                    @Override
                    public void reassert(String reason) {
                        reasserted.add(reason);
                    }
                });
        a.start();
        advance(Duration.ofMillis(300));
        a.tick();
        a.onAdvert(advert("lb-b", 100, HaState.BACKUP));
        for (int i = 0; i < 5; i++) {
            advance(INTERVAL);
            a.onAdvert(advert("lb-b", 100, HaState.BACKUP));
        }
        advance(Duration.ofSeconds(2));
        a.onAdvert(advert("lb-b", 100, HaState.BACKUP));
        assertThat(a.state()).isEqualTo(HaState.MASTER);
        assertThat(reasserted).as("first contact, then back after 2 s of silence; not while heard steadily")
                .containsExactly("peer lb-b heard again", "peer lb-b heard again");
    }

    @Test
    void aNodeJustStartedPreemptsOnlyOnceItHasBeenBackupForAnInterval() {
        HaStateMachine a = node("lb-a", 200);
        // The master's advert can arrive before the node has even started.
        a.onAdvert(advert("lb-b", 100, HaState.MASTER));
        a.start();
        a.tick();
        assertThat(a.state()).as("no backup advert has gone out yet").isEqualTo(HaState.BACKUP);
        a.advertSent();
        advance(Duration.ofMillis(50));
        a.onAdvert(advert("lb-b", 100, HaState.MASTER));
        assertThat(a.state()).isEqualTo(HaState.BACKUP);
        advance(Duration.ofMillis(50));
        // The next interval: the tick comes before that interval's advert.
        a.tick();
        assertThat(a.state()).as("one backup advert out").isEqualTo(HaState.BACKUP);
        a.advertSent();
        a.onAdvert(advert("lb-b", 100, HaState.MASTER));
        assertThat(a.state()).isEqualTo(HaState.MASTER);
    }

    @Test
    void withoutPreemptAReturningNodeStaysBackup() {
        HaStateMachine a = node("lb-a", 200, false, Duration.ZERO);
        a.start();
        for (int i = 0; i < 20; i++) {
            advance(INTERVAL);
            a.onAdvert(advert("lb-b", 100, HaState.MASTER));
            a.tick();
        }
        assertThat(a.state()).isEqualTo(HaState.BACKUP);
    }

    @Test
    void aMasterHearingAHigherRankedMasterYieldsAndTheOtherStays() {
        HaStateMachine low = node("lb-b", 100);
        low.start();
        advance(Duration.ofMillis(300));
        low.tick();
        low.onAdvert(advert("lb-a", 200, HaState.MASTER));
        assertThat(low.state()).isEqualTo(HaState.BACKUP);
        assertThat(transitions).last()
                .isEqualTo("master -> backup: split brain: lb-a (priority 200) is master and ranks higher");

        List<String> reasserted = new ArrayList<>();
        HaStateMachine high = new HaStateMachine(new HaSettings("lb-a", 200, INTERVAL, INTERVAL.multipliedBy(3),
                true, Duration.ZERO), () -> now, new HaStateMachine.Listener() {
                    @Override
                    public void transition(HaState from, HaState to, String reason) {
                    }

                    @Override
                    public void reassert(String reason) {
                        reasserted.add(reason);
                    }
                });
        high.start();
        advance(Duration.ofMillis(300));
        high.tick();
        high.onAdvert(advert("lb-b", 100, HaState.MASTER));
        advance(INTERVAL);
        high.onAdvert(advert("lb-b", 100, HaState.MASTER));
        assertThat(high.state()).isEqualTo(HaState.MASTER);
        assertThat(reasserted).as("the staying master claims its addresses again, once per episode")
                .containsExactly("split brain with lb-b");
    }

    @Test
    void equalPrioritiesBreakTiesByNameTheSameWayOnBothNodes() {
        HaStateMachine a = node("lb-a", 100);
        HaStateMachine b = node("lb-b", 100);
        a.start();
        b.start();
        advance(Duration.ofMillis(300));
        a.tick();
        b.tick();
        // Both claimed mastership before hearing each other; the adverts settle it.
        a.onAdvert(advert("lb-b", 100, b.state()));
        b.onAdvert(advert("lb-a", 100, a.state()));
        assertThat(a.state()).isEqualTo(HaState.MASTER);
        assertThat(b.state()).isEqualTo(HaState.BACKUP);
    }

    @Test
    void aLowerRankedBackupLeavesTheTakeoverToAHigherRankedLiveBackup() {
        HaStateMachine b = node("lb-b", 100);
        b.start();
        for (int i = 0; i < 6; i++) {
            advance(INTERVAL);
            b.onAdvert(advert("lb-a", 200, HaState.BACKUP));
            b.tick();
        }
        assertThat(b.state()).isEqualTo(HaState.BACKUP);
        advance(Duration.ofMillis(300));
        b.tick();
        assertThat(b.state()).as("the other backup went silent too").isEqualTo(HaState.MASTER);
    }

    @Test
    void aFailingTrackedConditionMeansFaultAndPriorityZeroUntilItPasses() {
        HaStateMachine a = node("lb-a", 200);
        a.start();
        advance(Duration.ofMillis(300));
        a.tick();
        assertThat(a.state()).isEqualTo(HaState.MASTER);
        a.fault("every server of pool web is down");
        assertThat(a.state()).isEqualTo(HaState.FAULT);
        assertThat(a.advertisedPriority()).isZero();
        advance(Duration.ofSeconds(5));
        a.tick();
        assertThat(a.state()).as("no takeover while in fault").isEqualTo(HaState.FAULT);
        a.fault(null);
        assertThat(a.state()).isEqualTo(HaState.BACKUP);
        assertThat(a.advertisedPriority()).isEqualTo(200);
        assertThat(transitions).contains("master -> fault: every server of pool web is down",
                "fault -> backup: tracked conditions pass again");
    }

    @Test
    void aNodeShuttingDownAdvertisesPriorityZeroAndTakesNothingOver() {
        HaStateMachine a = node("lb-a", 200);
        a.start();
        a.shutdown();
        assertThat(a.advertisedPriority()).isZero();
        advance(Duration.ofSeconds(1));
        a.tick();
        assertThat(a.state()).isEqualTo(HaState.BACKUP);
    }
}
