package io.trustgate.recheck;

import io.trustgate.image.ImageReference;
import io.trustgate.policy.Policy;
import java.time.Instant;
import java.util.Optional;

/**
 * Which running images an exception exempts from a policy. A recheck asks it for every image a policy does
 * not accept, and reports an exempted one as {@code skip} with the exception's reason instead of
 * {@code fail}. In a cluster the TrustExceptions of the current policy set answer it (the same
 * {@code TrustExceptions.applicable} admission uses, so a policy that does not allow exceptions is never
 * exempted); {@link #NONE} exempts nothing.
 */
@FunctionalInterface
public interface Exemptions {

    Exemptions NONE = (namespace, image, policy) -> Optional.empty();

    /**
     * The exception that applies to {@code image} (pinned to the digest that runs) in {@code namespace} under
     * {@code policy} now, if any.
     */
    Optional<Exemption> find(String namespace, ImageReference image, Policy policy);

    /**
     * One exception, as a report shows it.
     *
     * @param namespace the TrustException's namespace
     * @param name the TrustException's name
     * @param reason why it was granted, as its author wrote it
     * @param expires when it stops applying
     */
    record Exemption(String namespace, String name, String reason, Instant expires) {
        /** {@code TrustException apps/hotfix-1234}. */
        public String title() {
            return "TrustException " + namespace + "/" + name;
        }
    }
}
