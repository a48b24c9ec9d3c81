package dev.fulcrum.ha;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.config.TrackCommand;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrackCommandCheckTest {

    private final Deque<Boolean> outcomes = new ArrayDeque<>();
    private final TrackCommandCheck check = new TrackCommandCheck(
            new TrackCommand(List.of("check-me"), Duration.ofSeconds(1), Duration.ofSeconds(1), 2, 3),
            command -> outcomes.removeFirst());

    private String run(boolean outcome) {
        outcomes.add(outcome);
        return check.runOnce();
    }

    @Test
    void fallFailuresInARowMakeTheNodeUnfitAndRiseSuccessesInARowMakeItFitAgain() {
        assertThat(run(true)).isNull();
        assertThat(run(false)).as("one failure of fall 2").isNull();
        assertThat(run(true)).isNull();
        assertThat(run(false)).isNull();
        assertThat(run(false)).isEqualTo("track command check-me is failing");
        assertThat(run(true)).as("one success of rise 3").isNotNull();
        assertThat(run(true)).isNotNull();
        assertThat(run(false)).as("the streak starts over").isNotNull();
        assertThat(run(true)).isNotNull();
        assertThat(run(true)).isNotNull();
        assertThat(run(true)).isNull();
    }

    @Test
    void theFirstRunDecidesAtOnceSoAnUnfitNodeNeverStartsAsMaster() {
        assertThat(run(false)).isNotNull();
    }
}
