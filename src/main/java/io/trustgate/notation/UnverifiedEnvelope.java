package io.trustgate.notation;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Optional;

/**
 * What a Notation envelope claims, read without checking its signature or chain: for {@code trustgate inspect}'s
 * listing of the signatures a registry holds. Nothing here is evidence of anything; admission uses
 * {@link NotationVerifier}.
 *
 * @param format {@code JWS} or {@code COSE}
 * @param signedDigest the payload's {@code targetArtifact.digest}, or {@code null} when it names none
 * @param subject the signing certificate's subject DN, or {@code null} without a chain
 * @param issuer the signing certificate's issuer DN, or {@code null} without a chain
 * @param signingTime the claimed signing time, or {@code null}
 */
public record UnverifiedEnvelope(
        String format, String signedDigest, String subject, String issuer, Instant signingTime) {

    /**
     * Reads an envelope of media type {@link NotationVerifier#JWS} or {@link NotationVerifier#COSE}, bounded by
     * {@link NotationLimits#MAX_ENVELOPE_BYTES}; empty when it is not a readable envelope of either.
     */
    public static Optional<UnverifiedEnvelope> read(byte[] envelope, String mediaType) {
        if (envelope.length > NotationLimits.MAX_ENVELOPE_BYTES
                || !(NotationVerifier.JWS.equals(mediaType) || NotationVerifier.COSE.equals(mediaType))) {
            return Optional.empty();
        }
        try {
            SignedEnvelope signed =
                    NotationVerifier.JWS.equals(mediaType) ? JwsEnvelope.read(envelope) : CoseEnvelope.read(envelope);
            String digest = null;
            try {
                JsonNode root = JwsEnvelope.JSON.readTree(signed.payload());
                JsonNode artifact = root == null ? null : root.get("targetArtifact");
                if (artifact != null && artifact.path("digest").isTextual()) {
                    digest = artifact.path("digest").asText();
                }
            } catch (IOException e) {
                // a payload that is not JSON signs no digest
            }
            X509Certificate leaf =
                    signed.chain().isEmpty() ? null : signed.chain().get(0);
            return Optional.of(new UnverifiedEnvelope(
                    signed.format(),
                    digest,
                    leaf == null ? null : leaf.getSubjectX500Principal().getName(),
                    leaf == null ? null : leaf.getIssuerX500Principal().getName(),
                    signed.signingTime()));
        } catch (EnvelopeException e) {
            return Optional.empty();
        }
    }
}
