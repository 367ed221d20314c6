package io.trustgate.policy;

import java.time.Duration;

/**
 * What a policy lets TrustExceptions do to it ({@code spec.exceptions}): nothing unless it opts in, and then only
 * for exceptions whose whole lifetime (creation to {@code expires}) is at most {@code maxDuration}.
 *
 * @param allowed whether a TrustException may exempt images from the policy ({@code spec.exceptions.allow})
 * @param maxDuration the longest lifetime an exception may have to exempt from this policy, or {@code null} for the
 *     cluster-wide cap alone ({@code TRUSTGATE_EXCEPTIONS_MAX_DURATION})
 */
public record ExemptionRule(boolean allowed, Duration maxDuration) {

    /** The default: the policy cannot be exempted from. */
    public static final ExemptionRule NONE = new ExemptionRule(false, null);

    /** Why an exception cannot exempt from this policy, or {@code null} when it can. */
    public String refusal(Exemption exemption) {
        if (!allowed) {
            return "it does not allow exceptions (spec.exceptions.allow is not true)";
        }
        if (maxDuration != null && exemption.lifetime().compareTo(maxDuration) > 0) {
            return "it allows exceptions of at most " + Exemption.human(maxDuration)
                    + " (spec.exceptions.maxDuration), and this one lives " + Exemption.human(exemption.lifetime());
        }
        return null;
    }
}
