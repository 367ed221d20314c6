package io.trustgate.verify;

import io.trustgate.image.ImageReference;
import io.trustgate.policy.Policy;
import io.trustgate.registry.RegistryCredentials;
import java.util.concurrent.CompletableFuture;

/**
 * A kind of signature over image digests (GPG simple signing, Notary v1 trust data): collects the
 * policy's signers that signed one digest. Implementations never throw; failures become problems in
 * the findings.
 */
public interface SignatureSource {

    /** Whether the policy names anything this source can check (a lookaside store, a Notary server). */
    boolean appliesTo(Policy policy);

    /** The upstream this source asks for a policy, named when a review runs out of time. */
    default String describe(Policy policy) {
        return getClass().getSimpleName();
    }

    /**
     * Collects the signatures this source holds for a digest, judged against one policy.
     *
     * @param image the image as admitted (its tag, if any, matters for Notary and identity checks)
     * @param digest the digest the registry resolved, or the reference's own
     */
    CompletableFuture<SourceFindings> collect(ImageReference image, String digest, Policy policy);

    /**
     * Like {@link #collect(ImageReference, String, Policy)}, with the pull credentials the review chose for the
     * image's registry. Sources that read signatures from that registry (cosign, Notation) use them there and
     * nowhere else; the others ignore them.
     */
    default CompletableFuture<SourceFindings> collect(
            ImageReference image, String digest, Policy policy, RegistryCredentials credentials) {
        return collect(image, digest, policy);
    }

    /**
     * Drops what this source's upstream caches remember about the digest under the policy. The verifier calls
     * it before checking again an image it denied for missing or invalid signatures, so a signature added
     * after the rejection counts as soon as the denial expires ({@code TRUSTGATE_CACHE_DENIAL_TTL}).
     */
    default void forget(ImageReference image, String digest, Policy policy) {}

    /**
     * Called when a review of {@code image} (by tag) begins, before the registry has resolved the digest: a
     * source whose upstream reads do not depend on the digest may start them now, so they overlap the tag's
     * resolution. Must not block or fail; {@link #collect} still makes the decision and reports any failure.
     */
    default void prefetch(ImageReference image, Policy policy) {}
}
