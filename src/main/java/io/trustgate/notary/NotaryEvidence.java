package io.trustgate.notary;

import java.util.List;

/**
 * What the trust data says about one image: which signers signed its digest, through which role and key,
 * and where its tag is signed with a different digest.
 *
 * @param gun            the repository
 * @param tag            the tag checked, or {@code null} for a digest reference
 * @param resolvedDigest the digest the registry resolved, {@code sha256:<hex>}
 * @param signatures     one entry per signer, role and target that signed the resolved digest
 * @param mismatches     roles that sign the tag with another digest
 */
public record NotaryEvidence(
        String gun, String tag, String resolvedDigest, List<SignerMatch> signatures, List<DigestMismatch> mismatches) {

    public NotaryEvidence {
        signatures = List.copyOf(signatures);
        mismatches = List.copyOf(mismatches);
    }

    /** The distinct names of the signers that signed, in the order found. */
    public List<String> signers() {
        return signatures.stream().map(SignerMatch::signer).distinct().toList();
    }

    public boolean isSignedBy(String signer) {
        return signatures.stream().anyMatch(s -> s.signer().equals(signer));
    }

    /**
     * A signer's valid signature over the resolved digest.
     *
     * @param signer the signer's name
     * @param role   the role whose metadata lists the target and carries the signature
     * @param target the target name (tag)
     * @param digest the digest signed
     * @param keyId  the TUF key id of the signer's key that signed the role
     */
    public record SignerMatch(String signer, String role, String target, String digest, String keyId) {}

    /**
     * A valid role that signs the tag with another digest than the registry resolved (tag moved, or not
     * re-signed).
     *
     * @param role           the role
     * @param tag            the tag
     * @param signedDigest   the digest the role signs
     * @param resolvedDigest the digest the registry resolved
     */
    public record DigestMismatch(String role, String tag, String signedDigest, String resolvedDigest) {}
}
