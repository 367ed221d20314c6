package io.trustgate.pgp;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.trustgate.image.ImageReference;
import io.trustgate.pgp.PgpKeys.KeyInRing;
import io.trustgate.pgp.SignatureCheck.Reason;
import io.trustgate.pgp.SignatureCheck.Rejected;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.openpgp.PGPCompressedData;
import org.bouncycastle.openpgp.PGPEncryptedDataList;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPOnePassSignature;
import org.bouncycastle.openpgp.PGPOnePassSignatureList;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;

/**
 * Verifies containers/image "simple signing" signatures.
 *
 * <p>A signature is an OpenPGP signed message (usually compressed data holding a one-pass signature,
 * the literal JSON payload and the signature). The OpenPGP signature is verified with the trusted keys
 * before a single byte of the payload is interpreted; then the payload must be exactly the
 * {@code atomic container signature} JSON: {@code critical} with {@code type}, {@code image.docker-manifest-digest}
 * and {@code identity.docker-reference} and no other member, and {@code optional} (free-form).
 * Each signature is judged on its own, so a bad signature never vetoes a good one: call
 * {@link #verifyAll} and count {@link SignatureCheck#distinctSigners}.
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class SimpleSigning {

    /** The only {@code critical.type} accepted. */
    public static final String SIGNATURE_TYPE = "atomic container signature";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final Clock clock;
    private final SignerPolicy signers = new SignerPolicy();

    public SimpleSigning(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Verifies each signature independently, in order. */
    public List<SignatureCheck> verifyAll(
            List<byte[]> signatures,
            PgpKeys trusted,
            String manifestDigest,
            ImageReference image,
            SignedIdentity rule) {
        List<SignatureCheck> checks = new ArrayList<>(signatures.size());
        for (byte[] signature : signatures) {
            checks.add(verify(signature, trusted, manifestDigest, image, rule));
        }
        return checks;
    }

    /**
     * Verifies one signature for an image.
     *
     * @param signature the signature file's bytes (binary, or ASCII-armoured)
     * @param trusted the keys whose signatures count
     * @param manifestDigest the digest of the manifest being admitted, {@code sha256:<hex>}
     * @param image the image reference as the workload names it
     * @param rule how the signed identity must relate to {@code image}
     */
    public SignatureCheck verify(
            byte[] signature, PgpKeys trusted, String manifestDigest, ImageReference image, SignedIdentity rule) {
        Objects.requireNonNull(trusted, "trusted");
        Objects.requireNonNull(manifestDigest, "manifestDigest");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(rule, "rule");
        if (signature == null || signature.length == 0) {
            return new Rejected(Reason.MALFORMED_SIGNATURE, "signature is empty");
        }
        if (signature.length > PgpLimits.MAX_SIGNATURE_BYTES) {
            return new Rejected(
                    Reason.MALFORMED_SIGNATURE,
                    "signature has " + signature.length + " bytes, more than the limit of "
                            + PgpLimits.MAX_SIGNATURE_BYTES);
        }
        Instant now = clock.instant();
        SignedMessage message;
        try {
            message = SignedMessage.read(signature);
        } catch (MalformedMessageException e) {
            return new Rejected(Reason.MALFORMED_SIGNATURE, e.getMessage());
        }
        Optional<KeyInRing> signer = trusted.findSigner(message.signature());
        if (signer.isEmpty()) {
            return SignerPolicy.untrusted(message.signature().getKeyID(), trusted);
        }
        Optional<Rejected> openPgp = verifyOpenPgp(message, signer.get(), now);
        if (openPgp.isPresent()) {
            return openPgp.get();
        }
        return checkPayload(
                message.payload(),
                PgpKeys.fingerprint(signer.get().primary()),
                manifestDigest,
                image,
                rule,
                SIGNATURE_TYPE,
                true);
    }

    private Optional<Rejected> verifyOpenPgp(SignedMessage message, KeyInRing signer, Instant now) {
        PGPSignature signature = message.signature();
        Optional<Rejected> form = signers.checkForm(signature);
        if (form.isPresent()) {
            return form;
        }
        if (!message.verify(signers, signer)) {
            return Optional.of(new Rejected(
                    Reason.BAD_SIGNATURE,
                    "signature by key "
                            + PgpKeys.keyId(signature.getKeyID()) + " (key " + PgpKeys.fingerprint(signer.primary())
                            + ") does not verify: the signed data or the signature was altered"));
        }
        return signers.checkKeyAndTimes(signer, signature, now);
    }

    /**
     * Checks a simple-signing payload whose signature was already verified: exactly the fields of the format, the
     * expected {@code critical.type}, the manifest digest, and the identity under {@code rule}. Shared by every
     * format that signs this payload (GPG simple signing, cosign), so they cannot drift apart.
     *
     * @param signer who signed it, for the valid result's evidence
     * @param type the {@code critical.type} the format writes
     * @param optionalRequired whether {@code optional} must be present as an object (GPG); cosign writes it as
     *     {@code null} or leaves it out
     */
    public static SignatureCheck checkPayload(
            byte[] payload,
            String signer,
            String manifestDigest,
            ImageReference image,
            SignedIdentity rule,
            String type,
            boolean optionalRequired) {
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
        Optional<Rejected> shape = onlyFields(
                root,
                "the signed payload",
                Set.of("critical", "optional"),
                optionalRequired ? Set.of("critical", "optional") : Set.of("critical"));
        if (shape.isPresent()) {
            return shape.get();
        }
        JsonNode critical = root.get("critical");
        JsonNode optional = root.get("optional");
        if (!critical.isObject()) {
            return malformed("\"critical\" is not a JSON object");
        }
        if (optionalRequired && !optional.isObject()) {
            return malformed("\"optional\" is not a JSON object");
        }
        if (!optionalRequired && optional != null && !optional.isNull() && !optional.isObject()) {
            return malformed("\"optional\" is not a JSON object or null");
        }
        Set<String> criticalFields = Set.of("type", "image", "identity");
        shape = onlyFields(critical, "\"critical\"", criticalFields, criticalFields);
        if (shape.isPresent()) {
            return shape.get();
        }
        JsonNode signedType = critical.get("type");
        if (!signedType.isTextual()) {
            return malformed("\"critical.type\" is not a string");
        }
        if (!type.equals(signedType.textValue())) {
            return new Rejected(
                    Reason.WRONG_TYPE, "critical.type is \"" + signedType.textValue() + "\", not \"" + type + "\"");
        }
        JsonNode imageNode = critical.get("image");
        JsonNode identityNode = critical.get("identity");
        if (!imageNode.isObject()) {
            return malformed("\"critical.image\" is not a JSON object");
        }
        if (!identityNode.isObject()) {
            return malformed("\"critical.identity\" is not a JSON object");
        }
        shape = onlyFields(
                imageNode, "\"critical.image\"", Set.of("docker-manifest-digest"), Set.of("docker-manifest-digest"));
        if (shape.isPresent()) {
            return shape.get();
        }
        shape = onlyFields(
                identityNode, "\"critical.identity\"", Set.of("docker-reference"), Set.of("docker-reference"));
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
        Optional<Rejected> optionalShape =
                optional == null || optional.isNull() ? Optional.empty() : checkOptional(optional);
        if (optionalShape.isPresent()) {
            return optionalShape.get();
        }
        if (!digest.textValue().equals(manifestDigest)) {
            return new Rejected(
                    Reason.DIGEST_MISMATCH,
                    "payload names digest " + digest.textValue() + " but the image is " + manifestDigest);
        }
        Optional<Rejected> identity = rule.check(image, reference.textValue());
        if (identity.isPresent()) {
            return identity.get();
        }
        return new SignatureCheck.Valid(signer, reference.textValue(), digest.textValue());
    }

    /** Upstream reads {@code creator} and {@code timestamp} when present, so their types must be right. */
    private static Optional<Rejected> checkOptional(JsonNode optional) {
        JsonNode creator = optional.get("creator");
        if (creator != null && !creator.isTextual()) {
            return Optional.of(malformed("\"optional.creator\" is not a string"));
        }
        JsonNode timestamp = optional.get("timestamp");
        if (timestamp != null && !(timestamp.isIntegralNumber() && timestamp.canConvertToLong())) {
            return Optional.of(malformed("\"optional.timestamp\" is not an integer"));
        }
        return Optional.empty();
    }

    private static Optional<Rejected> onlyFields(
            JsonNode object, String where, Set<String> allowed, Set<String> required) {
        Iterator<String> names = object.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!allowed.contains(name)) {
                return Optional.of(malformed("unknown field \"" + name + "\" in " + where));
            }
        }
        for (String name : required.stream().sorted().toList()) {
            if (!object.has(name)) {
                return Optional.of(malformed("missing field \"" + name + "\" in " + where));
            }
        }
        return Optional.empty();
    }

    private static Rejected malformed(String detail) {
        return new Rejected(Reason.MALFORMED_PAYLOAD, detail);
    }

    /** The message shapes accepted do not fit; the message says what was found. */
    private static final class MalformedMessageException extends Exception {
        MalformedMessageException(String message) {
            super(message);
        }
    }

    /**
     * One signed message: the literal payload and its single signature, in one-pass form
     * (one-pass signature, literal data, signature) or the older form (signature, literal data).
     */
    // payload only carries the signed bytes from the parser to the checks; record equality is never used.
    private record SignedMessage(
            PGPOnePassSignature onePass,
            PGPSignature signature,
            @SuppressWarnings("ArrayRecordComponent") byte[] payload) {

        static SignedMessage read(byte[] bytes) throws MalformedMessageException {
            PacketReader packets = new PacketReader();
            try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(bytes))) {
                BcPGPObjectFactory outer = new BcPGPObjectFactory(in);
                Object first = packets.nextNonMarker(outer);
                SignedMessage message;
                if (first instanceof PGPCompressedData compressed) {
                    BcPGPObjectFactory inner = PacketReader.decompressed(compressed);
                    message = readSigned(packets, inner, packets.nextNonMarker(inner));
                } else {
                    message = readSigned(packets, outer, first);
                }
                if (packets.nextNonMarker(outer) != null) {
                    throw new MalformedMessageException("unexpected data after the signed message");
                }
                return message;
            } catch (PacketReader.LimitException e) {
                throw new MalformedMessageException(e.getMessage());
            } catch (IOException | PGPException | RuntimeException e) {
                throw new MalformedMessageException("not an OpenPGP signed message: " + e.getMessage());
            }
        }

        private static SignedMessage readSigned(PacketReader packets, BcPGPObjectFactory factory, Object first)
                throws IOException, PGPException, MalformedMessageException {
            if (first instanceof PGPOnePassSignatureList onePassList) {
                if (onePassList.size() != 1) {
                    throw new MalformedMessageException("the message holds " + onePassList.size()
                            + " signatures; a simple signature holds exactly one");
                }
                byte[] payload = readLiteral(packets.next(factory));
                PGPSignatureList signatures = signatureList(packets.next(factory));
                ensureEnd(packets, factory);
                return new SignedMessage(onePassList.get(0), signatures.get(0), payload);
            }
            if (first instanceof PGPSignatureList signatures) {
                checkSingle(signatures);
                byte[] payload = readLiteral(packets.next(factory));
                ensureEnd(packets, factory);
                return new SignedMessage(null, signatures.get(0), payload);
            }
            if (first instanceof PGPLiteralData) {
                throw new MalformedMessageException("literal data without any signature");
            }
            if (first instanceof PGPEncryptedDataList) {
                throw new MalformedMessageException("an encrypted message, not a signed one");
            }
            if (first instanceof PGPCompressedData) {
                throw new MalformedMessageException("nested compressed data");
            }
            throw new MalformedMessageException("not an OpenPGP signed message (found "
                    + (first == null ? "nothing" : first.getClass().getSimpleName()) + ")");
        }

        private static byte[] readLiteral(Object object) throws IOException, MalformedMessageException {
            if (!(object instanceof PGPLiteralData literal)) {
                throw new MalformedMessageException("signed message has no literal data");
            }
            try (InputStream data = literal.getInputStream()) {
                byte[] payload = data.readNBytes(PgpLimits.MAX_PAYLOAD_BYTES + 1);
                if (payload.length > PgpLimits.MAX_PAYLOAD_BYTES) {
                    throw new MalformedMessageException(
                            "signed payload is larger than the limit of " + PgpLimits.MAX_PAYLOAD_BYTES + " bytes");
                }
                return payload;
            }
        }

        private static PGPSignatureList signatureList(Object object) throws MalformedMessageException {
            if (!(object instanceof PGPSignatureList signatures)) {
                throw new MalformedMessageException("signed message has no signature after its data");
            }
            checkSingle(signatures);
            return signatures;
        }

        private static void checkSingle(PGPSignatureList signatures) throws MalformedMessageException {
            if (signatures.size() != 1) {
                throw new MalformedMessageException(
                        "the message holds " + signatures.size() + " signatures; a simple signature holds exactly one");
            }
        }

        private static void ensureEnd(PacketReader packets, BcPGPObjectFactory factory)
                throws IOException, MalformedMessageException {
            if (packets.nextNonMarker(factory) != null) {
                throw new MalformedMessageException("unexpected packets after the signature");
            }
        }

        /** Checks the cryptographic signature over the payload with the signer's key. */
        boolean verify(SignerPolicy policy, KeyInRing signer) {
            try {
                if (onePass != null) {
                    if (onePass.getKeyID() != signature.getKeyID()
                            || onePass.getSignatureType() != signature.getSignatureType()
                            || onePass.getHashAlgorithm() != signature.getHashAlgorithm()) {
                        return false;
                    }
                    onePass.init(policy.verifiers(), signer.key());
                    onePass.update(payload);
                    return onePass.verify(signature);
                }
                signature.init(policy.verifiers(), signer.key());
                signature.update(payload);
                return signature.verify();
            } catch (PGPException | RuntimeException e) {
                return false;
            }
        }

        @Override
        public String toString() {
            return "SignedMessage[" + payload.length + " bytes, "
                    + new String(payload, 0, Math.min(payload.length, 80), StandardCharsets.UTF_8) + "]";
        }
    }
}
