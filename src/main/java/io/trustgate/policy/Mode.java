package io.trustgate.policy;

/** What happens to an image that does not satisfy a policy. */
public enum Mode {
    /** Deny the review. */
    Enforce,
    /** Allow it, with an admission warning the client shows. */
    Warn,
    /** Allow it silently; log, count and record it in the policy status. */
    Audit
}
