package io.trustgate.recheck;

import io.trustgate.policy.Mode;
import io.trustgate.policy.PolicyId;
import java.util.List;
import java.util.Objects;

/**
 * One workload's image under one policy, after a recheck.
 *
 * @param image the image as the pod spec names it
 * @param digest the digest that was checked, or {@code null} when none is known
 * @param message for anything but {@code pass}, the sentence a denial of this image would carry (or why it
 *     could not be checked, or the exception that exempts it)
 * @param policy the policy, or {@code null} for an image no policy governs (reported {@code skip}, see
 *     {@link #UNGOVERNED})
 * @param mode the policy's mode, {@code null} when {@code policy} is
 * @param pods names of the workload's Pods that run it (at most {@link Recheck#MAX_PODS_PER_RESULT})
 */
public record RecheckResult(
        String namespace,
        RunningPod.Workload workload,
        String image,
        String digest,
        PolicyId policy,
        Mode mode,
        Verdict verdict,
        String message,
        List<String> pods) {

    public RecheckResult {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(workload, "workload");
        Objects.requireNonNull(verdict, "verdict");
        pods = List.copyOf(pods);
    }

    /**
     * The policy name reports and metrics carry for an image no policy governs: such an image was never verified
     * (no network call is made for it), which Policy Reporter shows as {@code skip} under this name.
     */
    public static final String UNGOVERNED = "no-policy";

    /** {@code ClusterTrustPolicy/prod}, {@code TrustPolicy team-a/strict}, or {@link #UNGOVERNED}. */
    public String policyName() {
        return policy == null ? UNGOVERNED : policy.toString();
    }

    /** What identifies a result across rechecks: where a verdict changed is where an Event is due. */
    public String key() {
        return namespace + "/" + workload + "/" + image + "/" + policyName();
    }
}
