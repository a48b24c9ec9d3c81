package dev.fulcrum.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RiseFallTest {

    private static final CheckResult PASS = CheckResult.PASS;
    private static final CheckResult REFUSED = CheckResult.fail("connection refused");

    @Test
    void fallFailuresInARowTakeAnUpServerDownNamingTheLastFailure() {
        RiseFall counter = new RiseFall(2, 3);
        assertThat(counter.record(REFUSED, true)).isNull();
        assertThat(counter.record(REFUSED, true)).isNull();
        assertThat(counter.record(CheckResult.fail("status 503, expected 200-399"), true))
                .isEqualTo(new RiseFall.Change(false, "3 failed checks: status 503, expected 200-399"));
    }

    @Test
    void risePassesInARowBringADownServerUp() {
        RiseFall counter = new RiseFall(2, 3);
        assertThat(counter.record(PASS, false)).isNull();
        assertThat(counter.record(PASS, false)).isEqualTo(new RiseFall.Change(true, "2 passed checks"));
    }

    @Test
    void aResultOfTheOtherKindRestartsTheCount() {
        RiseFall counter = new RiseFall(2, 2);
        assertThat(counter.record(REFUSED, true)).isNull();
        assertThat(counter.record(PASS, true)).isNull();
        assertThat(counter.record(REFUSED, true)).isNull();
        assertThat(counter.record(REFUSED, true)).isNotNull();
    }

    @Test
    void aFlappingServerNeverChangesStateWhenRiseAndFallAreAboveOne() {
        RiseFall up = new RiseFall(2, 2);
        RiseFall down = new RiseFall(2, 2);
        for (int i = 0; i < 100; i++) {
            CheckResult result = i % 2 == 0 ? PASS : REFUSED;
            assertThat(up.record(result, true)).isNull();
            assertThat(down.record(result, false)).isNull();
        }
    }

    @Test
    void passesKeepAnUpServerUpAndFailuresKeepADownServerDown() {
        RiseFall counter = new RiseFall(1, 1);
        assertThat(counter.record(PASS, true)).isNull();
        assertThat(counter.record(REFUSED, false)).isNull();
    }

    @Test
    void oneCheckIsSingular() {
        RiseFall counter = new RiseFall(1, 1);
        assertThat(counter.record(REFUSED, true)).isEqualTo(new RiseFall.Change(false, "1 failed check: connection refused"));
        assertThat(counter.record(PASS, false)).isEqualTo(new RiseFall.Change(true, "1 passed check"));
    }

    @Test
    void thresholdsBelowOneAreRefused() {
        assertThatThrownBy(() -> new RiseFall(0, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RiseFall(2, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
