package io.trustgate.verify;

import java.util.Objects;

/**
 * One signature a source examined for an image digest under a policy, for {@code trustgate inspect}: what it is,
 * where it was found, what it verified under and for which signer it counts, or why it does not count. The
 * verdict is decided by {@link SourceFindings#found()}; these only explain it signature by signature.
 *
 * @param format {@value #GPG}, {@value #COSIGN_SIG}, {@value #COSIGN_BUNDLE}, {@value #NOTATION} followed by the
 *     envelope's media type, ...
 * @param location where it was found: the tag and layer, the referrer manifest's digest, the lookaside file
 * @param digest the image digest it was checked against
 * @param identity the key id, certificate subject or keyless identity it verified under (or claims, when the source
 *     could read it without trusting it); {@code null} when unknown
 * @param signer the policy's signer it counts for; {@code null} when it counts for none
 * @param rejection why it counts for no signer; {@code null} when it counts
 */
public record SignatureReport(
        String format, String location, String digest, String identity, String signer, String rejection) {

    /** GPG simple signing in a lookaside store. */
    public static final String GPG = "gpg";
    /** A cosign 2.x signature: a layer of the {@code sha256-<hex>.sig} manifest. */
    public static final String COSIGN_SIG = "cosign-sig";
    /** A cosign 3.x Sigstore bundle, an OCI referrer. */
    public static final String COSIGN_BUNDLE = "cosign-bundle";
    /** A Notation signature, an OCI referrer; the format names the envelope ({@code notation-jws}, ...). */
    public static final String NOTATION = "notation";

    public SignatureReport {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(digest, "digest");
        if ((signer == null) == (rejection == null)) {
            throw new IllegalArgumentException("a signature either counts for a signer or has a rejection");
        }
    }

    /** A signature that counts for {@code signer}. */
    public static SignatureReport counts(
            String format, String location, String digest, String identity, String signer) {
        return new SignatureReport(format, location, digest, identity, Objects.requireNonNull(signer), null);
    }

    /** A signature that counts for no signer, and why. */
    public static SignatureReport rejected(
            String format, String location, String digest, String identity, String rejection) {
        return new SignatureReport(format, location, digest, identity, null, Objects.requireNonNull(rejection));
    }

    public boolean counts() {
        return signer != null;
    }
}
