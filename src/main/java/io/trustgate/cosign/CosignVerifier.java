package io.trustgate.cosign;

import io.trustgate.cosign.CosignCheck.Reason;
import io.trustgate.cosign.CosignCheck.Rejected;
import io.trustgate.image.ImageReference;
import io.trustgate.pgp.SignatureCheck;
import io.trustgate.pgp.SignedIdentity;
import io.trustgate.pgp.SimpleSigning;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Checks one cosign 2.x signature: the base64 signature from the {@code dev.cosignproject.cosign/signature}
 * annotation over the payload blob of its layer.
 *
 * <p>The signature is verified with the trusted keys before a single byte of the payload is interpreted;
 * then the payload must be exactly cosign's simple-signing JSON: {@code critical} with {@code type}
 * ({@value #SIGNATURE_TYPE}), {@code image.docker-manifest-digest} and {@code identity.docker-reference} and no
 * other member, and {@code optional} (null or an object). The digest must be the verified digest and the identity
 * must pass the signer's {@link SignedIdentity} rule, the same rule GPG simple signing uses. cosign writes the
 * repository alone as the identity (no tag or digest), which {@code matchRepository} accepts and the default
 * {@code matchRepoDigestOrExact} does not, as in containers/image.
 *
 * <p>Stateless and safe to share between threads.
 */
public final class CosignVerifier {

    /** The only {@code critical.type} accepted. */
    public static final String SIGNATURE_TYPE = "cosign container image signature";

    /**
     * Checks one signature.
     *
     * @param payload the layer blob (its digest already checked against the layer descriptor)
     * @param base64Signature the {@code dev.cosignproject.cosign/signature} annotation
     * @param trusted the keys whose signatures count
     * @param manifestDigest the verified manifest digest, {@code sha256:<hex>}
     * @param image the image as the workload names it
     * @param rule how the signed identity must relate to {@code image}
     */
    public CosignCheck verify(
            byte[] payload,
            String base64Signature,
            List<CosignKey> trusted,
            String manifestDigest,
            ImageReference image,
            SignedIdentity rule) {
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(trusted, "trusted");
        Objects.requireNonNull(manifestDigest, "manifestDigest");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(rule, "rule");
        if (base64Signature == null || base64Signature.isEmpty()) {
            return new Rejected(Reason.MALFORMED_SIGNATURE, "the layer has no signature annotation");
        }
        if (base64Signature.length() > CosignLimits.MAX_SIGNATURE_BASE64_CHARS) {
            return new Rejected(
                    Reason.MALFORMED_SIGNATURE,
                    "signature has " + base64Signature.length() + " characters, more than the limit of "
                            + CosignLimits.MAX_SIGNATURE_BASE64_CHARS);
        }
        if (payload.length > CosignLimits.MAX_PAYLOAD_BYTES) {
            return new Rejected(
                    Reason.MALFORMED_PAYLOAD,
                    "payload has " + payload.length + " bytes, more than the limit of "
                            + CosignLimits.MAX_PAYLOAD_BYTES);
        }
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(base64Signature);
        } catch (IllegalArgumentException e) {
            return new Rejected(Reason.MALFORMED_SIGNATURE, "signature annotation is not base64: " + e.getMessage());
        }
        Optional<CosignKey> signer = trusted.stream()
                .filter(key -> verifies(key, payload, signature))
                .findFirst();
        if (signer.isEmpty()) {
            return new Rejected(
                    Reason.BAD_SIGNATURE,
                    "no trusted key (" + trusted.size() + " tried) verifies the signature: it was made by another key"
                            + " or the payload was altered");
        }
        return checkPayload(payload, signer.get().id(), manifestDigest, image, rule);
    }

    /** Whether {@code key} verifies {@code signature} over {@code payload}; malformed signatures do not verify. */
    static boolean verifies(CosignKey key, byte[] payload, byte[] signature) {
        for (String algorithm : key.algorithm().jdkAlgorithms()) {
            try {
                Signature verifier = Signature.getInstance(algorithm);
                verifier.initVerify(key.key());
                verifier.update(payload);
                if (verifier.verify(signature)) {
                    return true;
                }
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                // A signature the provider cannot decode does not verify; try the next algorithm.
            }
        }
        return false;
    }

    /** The payload checks GPG simple signing uses, with cosign's type and its optional {@code optional}. */
    private static CosignCheck checkPayload(
            byte[] payload, String keyId, String manifestDigest, ImageReference image, SignedIdentity rule) {
        SignatureCheck check =
                SimpleSigning.checkPayload(payload, keyId, manifestDigest, image, rule, SIGNATURE_TYPE, false);
        if (check instanceof SignatureCheck.Valid valid) {
            return new CosignCheck.Valid(keyId, valid.signedReference(), valid.manifestDigest());
        }
        SignatureCheck.Rejected rejected = (SignatureCheck.Rejected) check;
        Reason reason = switch (rejected.reason()) {
            case WRONG_TYPE -> Reason.WRONG_TYPE;
            case DIGEST_MISMATCH -> Reason.DIGEST_MISMATCH;
            case INVALID_IDENTITY -> Reason.INVALID_IDENTITY;
            case IDENTITY_MISMATCH -> Reason.IDENTITY_MISMATCH;
            default -> Reason.MALFORMED_PAYLOAD;
        };
        return new Rejected(reason, rejected.detail());
    }
}
