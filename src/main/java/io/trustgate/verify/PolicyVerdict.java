package io.trustgate.verify;

import io.trustgate.policy.Policy;
import io.trustgate.policy.Threshold;

/**
 * The verdict of one policy on one image, with the evidence behind it.
 *
 * @param digest the digest the evidence is about, or {@code null} when none was resolved
 */
public record PolicyVerdict(Policy policy, Threshold.Outcome outcome, SourceFindings findings, String digest) {

    public PolicyVerdict(Policy policy, Threshold.Outcome outcome, SourceFindings findings) {
        this(policy, outcome, findings, null);
    }

    public boolean satisfied() {
        return outcome.satisfied();
    }
}
