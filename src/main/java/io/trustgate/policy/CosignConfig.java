package io.trustgate.policy;

/**
 * A policy's cosign source ({@code spec.cosign}): cosign 2.x {@code sha256-<hex>.sig} signatures and cosign 3.x
 * Sigstore bundles (OCI referrers of the digest), checked with the signers' PEM public keys, and keyless bundles
 * checked against the trusted root with the signers' identities.
 *
 * @param repository the repository holding the signatures ({@code COSIGN_REPOSITORY}), or {@code null} for the
 *     image's own repository
 * @param trustedRoot the Sigstore {@code trusted_root.json} text keyless bundles are verified against (inline or from
 *     a Secret), or {@code null} when the policy has no keyless signers
 */
public record CosignConfig(String repository, String trustedRoot) {

    /** A cosign source without keyless verification. */
    public CosignConfig(String repository) {
        this(repository, null);
    }
}
