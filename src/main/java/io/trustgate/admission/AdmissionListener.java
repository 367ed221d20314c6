package io.trustgate.admission;

import io.trustgate.image.ImageReference;
import io.trustgate.policy.BrokenPolicy;
import io.trustgate.policy.Exemption;
import io.trustgate.policy.Policy;
import io.trustgate.verify.ImageVerdict;
import io.trustgate.verify.PolicyVerdict;

/** Hears every decision, for metrics, logs and policy status; the defaults ignore it. */
public interface AdmissionListener {

    AdmissionListener NONE = new AdmissionListener() {};

    /** An unsatisfied policy, with the mode it applied (Enforce denies, Warn warns, Audit records). */
    default void unsatisfied(String namespace, ImageVerdict image, PolicyVerdict verdict) {}

    /** A broken policy claimed an image, with the mode it applied (Enforce denies, Warn warns, Audit records). */
    default void broken(String namespace, ImageReference image, BrokenPolicy policy) {}

    /** A TrustException waived a policy for an image: it was admitted without being checked against it. */
    default void exempted(String namespace, ImageReference image, Policy policy, Exemption exemption) {}

    /** One review's answer; {@code reason} is a short label for metrics (e.g. "signatures", "unmatched"). */
    default void decided(boolean allowed, String reason, long nanos) {}
}
