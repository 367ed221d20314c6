package io.trustgate.policy;

/**
 * A policy's Notation source ({@code spec.notation}): signatures are OCI referrers of the image with artifact type
 * {@code application/vnd.cncf.notary.signature}, checked with the signers' PEM certificates as trust anchors and
 * their {@code notationIdentities}, at Notation's {@code strict} verification level.
 */
public record NotationConfig() {}
