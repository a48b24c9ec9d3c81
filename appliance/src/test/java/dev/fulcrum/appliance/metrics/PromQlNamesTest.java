package dev.fulcrum.appliance.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromQlNamesTest {

    @Test
    void findsMetricsButNotFunctionsLabelsKeywordsOrVariables() {
        assertThat(PromQlNames.inExpression("""
                histogram_quantile(0.99, sum by (le, listener) (rate(a_seconds_bucket{listener=~"$listener",\
                code="5xx"}[$__rate_interval]))) / on (listener) group_left b_total offset 5m > bool 1e3\
                and ignoring(x) c:recorded unless sum without (pool) (d)"""))
                .containsExactlyInAnyOrder("a_seconds_bucket", "b_total", "c:recorded", "d");
    }

    @Test
    void stringsMayHoldAnythingWithoutBeingTakenForNames() {
        assertThat(PromQlNames.inExpression("label_replace(up, \"dst\", \"$1 not_a_metric\", \"src\", \"(.*)\")"))
                .containsExactly("up");
    }

    @Test
    void aNameMatcherNamesItsAlternatives() {
        assertThat(PromQlNames.inExpression("{__name__=~\"x_total|y_total\", instance=~\"$instance\"}"))
                .containsExactlyInAnyOrder("x_total", "y_total");
    }

    @Test
    void variableQueries() {
        assertThat(PromQlNames.inVariableQuery("label_values(x_total{instance=~\"$instance\"}, pool)"))
                .containsExactly("x_total");
        assertThat(PromQlNames.inVariableQuery("label_values(pool)")).isEmpty();
        assertThat(PromQlNames.inVariableQuery("query_result(topk(3, y))")).containsExactly("y");
        assertThat(PromQlNames.inVariableQuery("prometheus")).isEmpty();
    }
}
