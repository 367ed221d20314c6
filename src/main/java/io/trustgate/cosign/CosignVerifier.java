package io.trustgate.cosign;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.trustgate.cosign.CosignCheck.Reason;
import io.trustgate.cosign.CosignCheck.Rejected;
import io.trustgate.image.ImageReference;
import io.trustgate.pgp.SignatureCheck;
import io.trustgate.pgp.SignedIdentity;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

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

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

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

    private static CosignCheck checkPayload(
            byte[] payload, String keyId, String manifestDigest, ImageReference image, SignedIdentity rule) {
        JsonNode root;
        try {
            root = JSON.readTree(payload);
        } catch (JsonProcessingException e) {
            return malformed("signed payload is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            return malformed("signed payload cannot be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            return malformed("signed payload is not a JSON object");
        }
        Optional<Rejected> shape = onlyFields(root, "the signed payload", Set.of("critical", "optional"));
        if (shape.isPresent()) {
            return shape.get();
        }
        JsonNode critical = root.get("critical");
        JsonNode optional = root.get("optional");
        if (critical == null || !critical.isObject()) {
            return malformed("\"critical\" is missing or not a JSON object");
        }
        if (optional != null && !optional.isNull() && !optional.isObject()) {
            return malformed("\"optional\" is not a JSON object or null");
        }
        shape = onlyFields(critical, "\"critical\"", Set.of("type", "image", "identity"));
        if (shape.isPresent()) {
            return shape.get();
        }
        JsonNode type = critical.get("type");
        if (!type.isTextual()) {
            return malformed("\"critical.type\" is not a string");
        }
        if (!SIGNATURE_TYPE.equals(type.textValue())) {
            return new Rejected(
                    Reason.WRONG_TYPE, "critical.type is \"" + type.textValue() + "\", not \"" + SIGNATURE_TYPE + "\"");
        }
        JsonNode imageNode = critical.get("image");
        JsonNode identityNode = critical.get("identity");
        if (!imageNode.isObject() || !identityNode.isObject()) {
            return malformed("\"critical.image\" and \"critical.identity\" must be JSON objects");
        }
        shape = onlyFields(imageNode, "\"critical.image\"", Set.of("docker-manifest-digest"));
        if (shape.isPresent()) {
            return shape.get();
        }
        shape = onlyFields(identityNode, "\"critical.identity\"", Set.of("docker-reference"));
        if (shape.isPresent()) {
            return shape.get();
        }
        JsonNode digest = imageNode.get("docker-manifest-digest");
        JsonNode reference = identityNode.get("docker-reference");
        if (!digest.isTextual()) {
            return malformed("\"critical.image.docker-manifest-digest\" is not a string");
        }
        if (!reference.isTextual()) {
            return malformed("\"critical.identity.docker-reference\" is not a string");
        }
        if (!digest.textValue().equals(manifestDigest)) {
            return new Rejected(
                    Reason.DIGEST_MISMATCH,
                    "payload names digest " + digest.textValue() + " but the image is " + manifestDigest);
        }
        Optional<SignatureCheck.Rejected> identity = rule.check(image, reference.textValue());
        if (identity.isPresent()) {
            Reason reason = identity.get().reason() == SignatureCheck.Reason.INVALID_IDENTITY
                    ? Reason.INVALID_IDENTITY
                    : Reason.IDENTITY_MISMATCH;
            return new Rejected(reason, identity.get().detail());
        }
        return new CosignCheck.Valid(keyId, reference.textValue(), digest.textValue());
    }

    /** Every field of {@code object} is allowed, and every allowed field is present. */
    private static Optional<Rejected> onlyFields(JsonNode object, String where, Set<String> fields) {
        Iterator<String> names = object.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!fields.contains(name)) {
                return Optional.of(malformed("unknown field \"" + name + "\" in " + where));
            }
        }
        for (String name : fields.stream().sorted().toList()) {
            if (!object.has(name) && !"optional".equals(name)) {
                return Optional.of(malformed("missing field \"" + name + "\" in " + where));
            }
        }
        return Optional.empty();
    }

    private static Rejected malformed(String detail) {
        return new Rejected(Reason.MALFORMED_PAYLOAD, detail);
    }
}
