package io.trustgate.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustgate.policy.LabelSelector.Operator;
import io.trustgate.policy.LabelSelector.Requirement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link LabelSelector}: which namespaces a ClusterTrustPolicy governs. A selector that matches too little lets
 * images in the other namespaces through unverified, so the Kubernetes semantics are held to case by case.
 */
@DisplayName("LabelSelector")
class LabelSelectorTest {

    private static LabelSelector expr(String key, Operator op, String... values) {
        return new LabelSelector(Map.of(), List.of(new Requirement(key, op, Set.of(values))));
    }

    @Test
    @DisplayName("the empty selector matches every namespace, labelled or not")
    void empty() {
        assertThat(LabelSelector.EVERYTHING.isEmpty()).isTrue();
        assertThat(LabelSelector.EVERYTHING.matches(Map.of())).isTrue();
        assertThat(LabelSelector.EVERYTHING.matches(Map.of("env", "prod"))).isTrue();
    }

    @Test
    @DisplayName("matchLabels needs every pair, with the exact value")
    void matchLabels() {
        LabelSelector s = new LabelSelector(Map.of("env", "prod", "team", "a"), List.of());
        assertThat(s.matches(Map.of("env", "prod", "team", "a", "extra", "x"))).isTrue();
        assertThat(s.matches(Map.of("env", "prod"))).isFalse();
        assertThat(s.matches(Map.of("env", "Prod", "team", "a"))).isFalse();
    }

    @Test
    @DisplayName("In and NotIn: a missing label is not In any set, and is NotIn every set (as in Kubernetes)")
    void inAndNotIn() {
        assertThat(expr("env", Operator.In, "prod", "stage").matches(Map.of("env", "stage")))
                .isTrue();
        assertThat(expr("env", Operator.In, "prod").matches(Map.of())).isFalse();
        assertThat(expr("env", Operator.NotIn, "dev").matches(Map.of())).isTrue();
        assertThat(expr("env", Operator.NotIn, "dev").matches(Map.of("env", "dev")))
                .isFalse();
    }

    @Test
    @DisplayName("Exists and DoesNotExist look at the key only; every requirement must hold")
    void existence() {
        assertThat(expr("pci", Operator.Exists).matches(Map.of("pci", ""))).isTrue();
        assertThat(expr("pci", Operator.DoesNotExist).matches(Map.of("pci", "")))
                .isFalse();
        LabelSelector both = new LabelSelector(
                Map.of("env", "prod"),
                List.of(new Requirement("trustgate.io/ignore", Operator.DoesNotExist, Set.of())));
        assertThat(both.matches(Map.of("env", "prod"))).isTrue();
        assertThat(both.matches(Map.of("env", "prod", "trustgate.io/ignore", "true")))
                .isFalse();
    }

    @Test
    @DisplayName("operator names are Kubernetes' exact spelling; anything else is a policy error naming the choices")
    void operatorNames() throws Exception {
        assertThat(LabelSelector.operator("NotIn")).isEqualTo(Operator.NotIn);
        assertThatThrownBy(() -> LabelSelector.operator("notin"))
                .isInstanceOf(InvalidPolicyException.class)
                .hasMessageContaining("use In, NotIn, Exists or DoesNotExist");
    }
}
