package io.trustgate.policy;

/**
 * A policy's cosign source ({@code spec.cosign}): signatures are the {@code sha256-<hex>.sig} tags cosign 2.x
 * pushes, checked with the signers' PEM public keys.
 *
 * @param repository the repository holding the signatures ({@code COSIGN_REPOSITORY}), or {@code null} for the
 *     image's own repository
 */
public record CosignConfig(String repository) {}
