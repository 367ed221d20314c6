package io.trustgate.cosign;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * What a cosign signature claims, read without checking any signature, certificate or log entry: for
 * {@code trustgate inspect}'s listing of the signatures a registry holds. Nothing here is evidence of anything;
 * admission uses {@link CosignVerifier} and {@link BundleVerifier}.
 *
 * @param signedDigests the manifest digests the payload names (a {@code .sig} payload's
 *     {@code docker-manifest-digest}, or a bundle statement's sha256 subjects), at most
 *     {@link CosignLimits#MAX_STATEMENT_SUBJECTS}
 * @param reference a {@code .sig} payload's {@code docker-reference}, or {@code null}
 * @param keyId a key-based bundle's public key hint, or {@code null}
 * @param issuer a keyless certificate's OIDC issuer, or {@code null}
 * @param identities a keyless certificate's e-mail and URI subject alternative names
 * @param predicateType a bundle statement's predicate type (cosign's signature statement, or an attestation), or
 *     {@code null}
 */
public record UnverifiedSignature(
        List<String> signedDigests,
        String reference,
        String keyId,
        String issuer,
        List<String> identities,
        String predicateType) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public UnverifiedSignature {
        signedDigests = List.copyOf(signedDigests);
        identities = List.copyOf(identities);
    }

    /** A cosign 2 simple-signing payload (a {@code .sig} layer), at most {@link CosignLimits#MAX_PAYLOAD_BYTES}. */
    public static UnverifiedSignature ofPayload(byte[] payload) {
        JsonNode root = json(payload, CosignLimits.MAX_PAYLOAD_BYTES);
        String digest = text(root.path("critical").path("image").path("docker-manifest-digest"));
        return new UnverifiedSignature(
                digest == null ? List.of() : List.of(digest),
                text(root.path("critical").path("identity").path("docker-reference")),
                null,
                null,
                List.of(),
                null);
    }

    /** A cosign 3 Sigstore bundle: its key hint or certificate identity, and its statement's subjects. */
    public static UnverifiedSignature ofBundle(SigstoreBundle bundle) {
        List<String> digests = new ArrayList<>();
        String predicate = null;
        if (bundle.dsse() != null) {
            JsonNode statement = json(bundle.dsse().payload(), CosignLimits.MAX_STATEMENT_BYTES);
            predicate = text(statement.path("predicateType"));
            for (JsonNode subject : statement.path("subject")) {
                String hex = text(subject.path("digest").path("sha256"));
                if (hex != null && digests.size() < CosignLimits.MAX_STATEMENT_SUBJECTS) {
                    digests.add("sha256:" + hex);
                }
            }
        }
        String issuer = null;
        List<String> identities = List.of();
        if (bundle.keyless() && !bundle.certificates().isEmpty()) {
            try {
                X509Certificate leaf = (X509Certificate) CertificateFactory.getInstance("X.509")
                        .generateCertificate(
                                new ByteArrayInputStream(bundle.certificates().get(0)));
                CertificateIdentity.Claimed claimed = CertificateIdentity.claimed(leaf);
                issuer = claimed.issuer();
                identities = claimed.subjects();
            } catch (CertificateException e) {
                // an unreadable certificate claims no identity
            }
        }
        String hint = bundle.publicKeyHint();
        return new UnverifiedSignature(
                digests, null, hint == null || hint.isEmpty() ? null : hint, issuer, identities, predicate);
    }

    private static JsonNode json(byte[] bytes, int limit) {
        if (bytes.length > limit) {
            return JSON.missingNode();
        }
        try {
            JsonNode node = JSON.readTree(bytes);
            return node == null ? JSON.missingNode() : node;
        } catch (IOException e) {
            return JSON.missingNode();
        }
    }

    private static String text(JsonNode node) {
        return node.isTextual() ? node.asText() : null;
    }
}
