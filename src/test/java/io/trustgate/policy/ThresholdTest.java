package io.trustgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link Threshold}: the verdict rule, minSignatures distinct named signers including every required one. */
@DisplayName("Threshold")
class ThresholdTest {

    private static Policy policy(int minSignatures, List<String> required, String... signers) {
        return Policy.builder(PolicyId.cluster("p"), "uid", "1")
                .signers(java.util.Arrays.stream(signers)
                        .map(n -> Signer.builder(n).keys(List.of("key-of-" + n)).build())
                        .toList())
                .minSignatures(minSignatures)
                .requiredSigners(required)
                .build();
    }

    @Test
    @DisplayName("two of three signers meet minSignatures 2; found and missing keep the policy's order")
    void metWithOrder() {
        Threshold.Outcome o =
                Threshold.evaluate(policy(2, List.of(), "alice", "bob", "carol"), Set.of("carol", "alice"));
        assertThat(o.satisfied()).isTrue();
        assertThat(o.found()).containsExactly("alice", "carol");
        assertThat(o.missing()).containsExactly("bob");
        assertThat(o.missingRequired()).isEmpty();
        assertThat(o.required()).isEqualTo(2);
    }

    @Test
    @DisplayName("one signer where two are needed is not enough")
    void tooFew() {
        Threshold.Outcome o = Threshold.evaluate(policy(2, List.of(), "alice", "bob"), Set.of("alice"));
        assertThat(o.satisfied()).isFalse();
        assertThat(o.found()).containsExactly("alice");
        assertThat(o.missing()).containsExactly("bob");
    }

    @Test
    @DisplayName("a missing required signer fails the rule even when minSignatures is met, and is named")
    void requiredMissing() {
        Threshold.Outcome o = Threshold.evaluate(policy(1, List.of("bob"), "alice", "bob"), Set.of("alice"));
        assertThat(o.satisfied()).isFalse();
        assertThat(o.missingRequired()).containsExactly("bob");
        assertThat(Threshold.evaluate(policy(1, List.of("bob"), "alice", "bob"), Set.of("bob"))
                        .satisfied())
                .isTrue();
    }

    @Test
    @DisplayName("signers the policy does not name never count, whatever they are called")
    void unknownSignersIgnored() {
        Threshold.Outcome o = Threshold.evaluate(policy(1, List.of(), "alice"), Set.of("mallory", "root"));
        assertThat(o.satisfied()).isFalse();
        assertThat(o.found()).isEmpty();
        assertThat(o.missing()).containsExactly("alice");
    }

    @Test
    @DisplayName("no valid signature at all fails, and lists are immutable evidence")
    void nothing() {
        Threshold.Outcome o = Threshold.evaluate(policy(1, List.of("alice"), "alice"), Set.of());
        assertThat(o.satisfied()).isFalse();
        assertThat(o.missingRequired()).containsExactly("alice");
        assertThat(o.found()).isUnmodifiable();
        assertThat(o.missing()).isUnmodifiable();
    }
}
