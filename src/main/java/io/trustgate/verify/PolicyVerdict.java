package io.trustgate.verify;

import io.trustgate.policy.Policy;
import io.trustgate.policy.Threshold;

/** The verdict of one policy on one image, with the evidence behind it. */
public record PolicyVerdict(Policy policy, Threshold.Outcome outcome, SourceFindings findings) {
    public boolean satisfied() {
        return outcome.satisfied();
    }
}
