package io.trustgate.cosign;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sigstore.KeylessVerificationException;
import dev.sigstore.VerificationOptions;
import dev.sigstore.bundle.Bundle;
import dev.sigstore.bundle.BundleParseException;
import io.trustgate.cosign.CosignCheck.Reason;
import io.trustgate.cosign.CosignCheck.Rejected;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks one cosign 3.x signature: a Sigstore bundle whose DSSE envelope holds the in-toto statement {@code cosign
 * sign} writes (predicate type {@value #COSIGN_SIGN_PREDICATE}, the image digest as its subject).
 *
 * <p>Key-based: the DSSE signature over the pre-authentication encoding is verified with the signer's cosign public
 * keys before the statement is read; the transparency-log entries a bundle may carry are not consulted (as for
 * cosign 2.x signatures, the key is the trust). Keyless: sigstore-java verifies the bundle offline against the
 * policy's trusted root (Fulcio certificate chain to a trusted CA within its validity window, the SCT from a trusted
 * CT log, the Rekor entry's inclusion proof with its signed checkpoint or its signed entry timestamp, the signing
 * time inside the certificate's validity, the DSSE signature with the certificate's key and its match with the log
 * entry); trustgate then checks the statement and the certificate's issuer and identity against the signer's rules.
 *
 * <p>A cosign 3 statement names no repository (only the digest), so {@code signedIdentity} does not apply to it.
 * Stateless and safe to share between threads.
 */
public final class BundleVerifier {

    /** The DSSE payload type of an in-toto statement. */
    public static final String INTOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";

    /** The predicate type of {@code cosign sign}'s statement; attestations of other types are not signatures. */
    public static final String COSIGN_SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1";

    private static final List<String> STATEMENT_TYPES =
            List.of("https://in-toto.io/Statement/v1", "https://in-toto.io/Statement/v0.1");

    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    /**
     * Checks a key-based bundle.
     *
     * @param trusted the keys whose signatures count
     * @param manifestDigest the verified manifest digest, {@code sha256:<hex>}
     */
    public CosignCheck verifyWithKeys(SigstoreBundle bundle, List<CosignKey> trusted, String manifestDigest) {
        Objects.requireNonNull(bundle, "bundle");
        Objects.requireNonNull(trusted, "trusted");
        Optional<Rejected> shape = imageShape(bundle);
        if (shape.isPresent()) {
            return shape.get();
        }
        if (bundle.keyless()) {
            return new Rejected(
                    Reason.BAD_SIGNATURE,
                    "the bundle is keyless (a Fulcio certificate); the signer names cosign keys, not identities");
        }
        byte[] pae = bundle.dsse().pae();
        Optional<CosignKey> signer = trusted.stream()
                .filter(key ->
                        bundle.dsse().signatures().stream().anyMatch(sig -> CosignVerifier.verifies(key, pae, sig)))
                .findFirst();
        if (signer.isEmpty()) {
            return new Rejected(
                    Reason.BAD_SIGNATURE,
                    "no trusted key (" + trusted.size() + " tried) verifies the bundle's signature: it was made by"
                            + " another key or the statement was altered");
        }
        return checkStatement(bundle.dsse().payload(), signer.get().id(), manifestDigest);
    }

    /**
     * The outcome of a keyless check before any signer's identity rules: the bundle's verdict and, when it is valid,
     * the issuer and identities its certificate claims.
     */
    public record Keyless(CosignCheck check, CertificateIdentity.Claimed claimed) {
        public Keyless {
            Objects.requireNonNull(check, "check");
            Objects.requireNonNull(claimed, "claimed");
        }

        /** Whether the bundle is valid and its certificate matches one of the identities. */
        public CosignCheck forIdentities(List<CertificateIdentity> identities) {
            if (!(check instanceof CosignCheck.Valid valid)) {
                return check;
            }
            if (identities.stream().noneMatch(identity -> identity.matches(claimed))) {
                return new Rejected(
                        Reason.IDENTITY_MISMATCH,
                        "the certificate's " + claimed + " matches none of the signer's identities " + identities);
            }
            return valid;
        }
    }

    /**
     * Checks a keyless bundle of an image against a trusted root: the statement (cosign's, naming the digest) and
     * the Sigstore verification. The signers' identity rules are applied to the result with
     * {@link Keyless#forIdentities}.
     */
    public Keyless verifyKeyless(SigstoreBundle bundle, CosignTrustedRoot root, String manifestDigest) {
        Objects.requireNonNull(bundle, "bundle");
        CertificateIdentity.Claimed nobody = new CertificateIdentity.Claimed(null, List.of());
        Optional<Rejected> shape = imageShape(bundle);
        if (shape.isPresent()) {
            return new Keyless(shape.get(), nobody);
        }
        if (!bundle.keyless()) {
            return new Keyless(
                    new Rejected(
                            Reason.BAD_SIGNATURE,
                            "the bundle is key-based (no certificate) and no key of the signer verifies it"),
                    nobody);
        }
        // The statement first: it is cheap, and a bundle for another digest says so plainly.
        CosignCheck statement = checkStatement(bundle.dsse().payload(), "keyless", manifestDigest);
        if (statement instanceof Rejected) {
            return new Keyless(statement, nobody);
        }
        byte[] digest = HexFormat.of().parseHex(manifestDigest.substring("sha256:".length()));
        Sigstore result = sigstore(bundle, root, digest);
        if (result.rejected() != null) {
            return new Keyless(result.rejected(), nobody);
        }
        return new Keyless(new CosignCheck.Valid("keyless " + result.claimed(), "", manifestDigest), result.claimed());
    }

    /**
     * The Sigstore part of keyless verification, for any artifact (the Sigstore conformance suite's level): the
     * bundle against the trusted root, then the certificate against the identities.
     *
     * @param artifactDigest SHA-256 of the artifact (for an image, of its manifest; a DSSE statement must name it)
     * @return empty when the bundle is valid and an identity matches, otherwise why not
     */
    public static Optional<Rejected> verifyKeylessArtifact(
            SigstoreBundle bundle,
            CosignTrustedRoot root,
            List<CertificateIdentity> identities,
            byte[] artifactDigest) {
        Objects.requireNonNull(identities, "identities");
        Sigstore result = sigstore(bundle, root, artifactDigest);
        if (result.rejected() != null) {
            return Optional.of(result.rejected());
        }
        CosignCheck check = new Keyless(new CosignCheck.Valid("keyless", "", "artifact"), result.claimed())
                .forIdentities(identities);
        return check instanceof Rejected r ? Optional.of(r) : Optional.empty();
    }

    private record Sigstore(Rejected rejected, CertificateIdentity.Claimed claimed) {}

    /** sigstore-java's offline verification of the bundle against the root, for a SHA-256 artifact digest. */
    private static Sigstore sigstore(SigstoreBundle bundle, CosignTrustedRoot root, byte[] artifactDigest) {
        Objects.requireNonNull(root, "root");
        Bundle parsed;
        try {
            parsed = Bundle.from(new StringReader(new String(bundle.bytes(), StandardCharsets.UTF_8)));
        } catch (BundleParseException | RuntimeException e) {
            return new Sigstore(
                    new Rejected(Reason.MALFORMED_SIGNATURE, "the bundle cannot be read: " + e.getMessage()), null);
        }
        try {
            root.verifier().verify(artifactDigest, parsed, VerificationOptions.empty());
        } catch (KeylessVerificationException e) {
            return new Sigstore(
                    new Rejected(Reason.CERTIFICATE, "keyless verification against " + root + " failed: " + causes(e)),
                    null);
        } catch (RuntimeException e) {
            // sigstore-java signals some malformed inputs with unchecked exceptions; none may pass as valid.
            return new Sigstore(
                    new Rejected(
                            Reason.CERTIFICATE,
                            "keyless verification against " + root + " failed: "
                                    + e.getClass().getSimpleName() + ": " + e.getMessage()),
                    null);
        }
        if (parsed.getCertPath().getCertificates().isEmpty()
                || !(parsed.getCertPath().getCertificates().get(0) instanceof X509Certificate leaf)) {
            return new Sigstore(new Rejected(Reason.CERTIFICATE, "the bundle has no signing certificate"), null);
        }
        return new Sigstore(null, CertificateIdentity.claimed(leaf));
    }

    /** What every cosign 3 image signature is: a DSSE envelope holding an in-toto statement. */
    private static Optional<Rejected> imageShape(SigstoreBundle bundle) {
        if (bundle.dsse() == null) {
            return Optional.of(new Rejected(
                    Reason.WRONG_TYPE,
                    "the bundle holds a message signature (a blob signature); cosign 3 signs images with a DSSE"
                            + " envelope"));
        }
        if (!INTOTO_PAYLOAD_TYPE.equals(bundle.dsse().payloadType())) {
            return Optional.of(new Rejected(
                    Reason.WRONG_TYPE,
                    "the DSSE payload type is \"" + bundle.dsse().payloadType() + "\", not " + INTOTO_PAYLOAD_TYPE));
        }
        return Optional.empty();
    }

    /** The statement must be cosign's signature statement and name the verified digest among its subjects. */
    private static CosignCheck checkStatement(byte[] payload, String keyId, String manifestDigest) {
        if (manifestDigest == null || !DIGEST.matcher(manifestDigest).matches()) {
            return new Rejected(Reason.DIGEST_MISMATCH, "not a sha256 manifest digest: " + manifestDigest);
        }
        JsonNode statement;
        try {
            statement = JSON.readTree(payload);
        } catch (IOException e) {
            return new Rejected(Reason.MALFORMED_PAYLOAD, "the signed statement is not JSON");
        }
        if (statement == null || !statement.isObject()) {
            return new Rejected(Reason.MALFORMED_PAYLOAD, "the signed statement is not a JSON object");
        }
        String type = statement.path("_type").asText("");
        if (!STATEMENT_TYPES.contains(type)) {
            return new Rejected(Reason.MALFORMED_PAYLOAD, "the signed statement's _type is not an in-toto statement");
        }
        String predicate = statement.path("predicateType").asText("");
        if (!COSIGN_SIGN_PREDICATE.equals(predicate)) {
            return new Rejected(
                    Reason.WRONG_TYPE,
                    "the signed statement is an attestation of type \"" + abbreviate(predicate)
                            + "\", not a cosign signature (" + COSIGN_SIGN_PREDICATE + ")");
        }
        JsonNode subjects = statement.path("subject");
        if (!subjects.isArray() || subjects.isEmpty()) {
            return new Rejected(Reason.MALFORMED_PAYLOAD, "the signed statement has no subject");
        }
        if (subjects.size() > CosignLimits.MAX_STATEMENT_SUBJECTS) {
            return new Rejected(
                    Reason.MALFORMED_PAYLOAD,
                    "the signed statement has " + subjects.size() + " subjects, more than the limit of "
                            + CosignLimits.MAX_STATEMENT_SUBJECTS);
        }
        String hex = manifestDigest.substring("sha256:".length());
        String first = null;
        for (JsonNode subject : subjects) {
            String signed = subject.path("digest").path("sha256").asText("");
            if (hex.equals(signed)) {
                return new CosignCheck.Valid(keyId, "", manifestDigest);
            }
            if (first == null && !signed.isEmpty()) {
                first = signed;
            }
        }
        return new Rejected(
                Reason.DIGEST_MISMATCH,
                "the signed statement names digest " + (first == null ? "(none)" : "sha256:" + abbreviate(first))
                        + ", not " + manifestDigest);
    }

    private static String causes(Throwable e) {
        StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
        Throwable cause = e.getCause();
        for (int depth = 0; cause != null && depth < 3; depth++, cause = cause.getCause()) {
            text.append(": ").append(cause.getMessage());
        }
        return abbreviate(text.toString().replace('\n', ' '));
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
