package io.trustgate.cosign;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * A Sigstore bundle ({@value #MEDIA_TYPE_V03}) as cosign 3.x attaches it to an image digest: the layer blob of an
 * OCI 1.1 referrer manifest. Only the parts trustgate judges are read; the bytes are kept for the keyless
 * verification, which reads the bundle itself.
 *
 * <p>Immutable after parsing (the arrays handed out are not to be modified).
 */
public final class SigstoreBundle {

    /** The bundle media type cosign 3 writes (artifactType of the referrer and media type of its layer). */
    public static final String MEDIA_TYPE_V03 = "application/vnd.dev.sigstore.bundle.v0.3+json";

    /** The older spellings of a bundle media type, accepted inside the bundle JSON. */
    private static final String MEDIA_TYPE_PREFIX = "application/vnd.dev.sigstore.bundle";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** A DSSE envelope: its payload type, decoded payload and decoded signatures. */
    public static final class Dsse {
        private final String payloadType;
        private final byte[] payload;
        private final List<byte[]> signatures;

        Dsse(String payloadType, byte[] payload, List<byte[]> signatures) {
            this.payloadType = Objects.requireNonNull(payloadType, "payloadType");
            this.payload = Objects.requireNonNull(payload, "payload");
            this.signatures = List.copyOf(signatures);
        }

        /** E.g. {@code application/vnd.in-toto+json}. */
        public String payloadType() {
            return payloadType;
        }

        /** The decoded payload (an in-toto statement for cosign 3). */
        public byte[] payload() {
            return payload;
        }

        /** The decoded signatures, at most {@link CosignLimits#MAX_DSSE_SIGNATURES}. */
        public List<byte[]> signatures() {
            return signatures;
        }

        /** DSSE's pre-authentication encoding, the bytes the signatures are over. */
        public byte[] pae() {
            byte[] type = payloadType.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            String head = "DSSEv1 " + type.length + " " + payloadType + " " + payload.length + " ";
            byte[] prefix = head.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            byte[] out = new byte[prefix.length + payload.length];
            System.arraycopy(prefix, 0, out, 0, prefix.length);
            System.arraycopy(payload, 0, out, prefix.length, payload.length);
            return out;
        }
    }

    private final byte[] bytes;
    private final String mediaType;
    private final Dsse dsse;
    private final boolean messageSignature;
    private final String publicKeyHint;
    private final List<byte[]> certificates;
    private final int tlogEntries;

    private SigstoreBundle(
            byte[] bytes,
            String mediaType,
            Dsse dsse,
            boolean messageSignature,
            String publicKeyHint,
            List<byte[]> certificates,
            int tlogEntries) {
        this.bytes = Objects.requireNonNull(bytes, "bytes");
        this.mediaType = Objects.requireNonNull(mediaType, "mediaType");
        this.dsse = dsse;
        this.messageSignature = messageSignature;
        this.publicKeyHint = publicKeyHint;
        this.certificates = List.copyOf(certificates);
        this.tlogEntries = tlogEntries;
    }

    /** The bundle JSON as fetched. */
    public byte[] bytes() {
        return bytes;
    }

    /** The bundle's own {@code mediaType}. */
    public String mediaType() {
        return mediaType;
    }

    /** The DSSE envelope, or {@code null} when the bundle holds a message signature instead. */
    public Dsse dsse() {
        return dsse;
    }

    /** Whether the bundle holds a {@code messageSignature} (a blob signature, not cosign's image form). */
    public boolean messageSignature() {
        return messageSignature;
    }

    /** {@code verificationMaterial.publicKey.hint} of a key-based bundle, or {@code null}. */
    public String publicKeyHint() {
        return publicKeyHint;
    }

    /** DER certificates of a keyless bundle, leaf first; empty for a key-based bundle. */
    public List<byte[]> certificates() {
        return certificates;
    }

    /** How many transparency-log entries the bundle carries. */
    public int tlogEntries() {
        return tlogEntries;
    }

    /** Reads a bundle, bounded by {@link CosignLimits#MAX_BUNDLE_BYTES}. */
    public static SigstoreBundle parse(byte[] bytes) throws InvalidBundleException {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length > CosignLimits.MAX_BUNDLE_BYTES) {
            throw new InvalidBundleException(
                    "bundle has " + bytes.length + " bytes, more than the limit of " + CosignLimits.MAX_BUNDLE_BYTES);
        }
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new InvalidBundleException("bundle is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidBundleException("bundle cannot be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidBundleException("bundle is not a JSON object");
        }
        String mediaType = root.path("mediaType").asText("");
        if (!mediaType.startsWith(MEDIA_TYPE_PREFIX)) {
            throw new InvalidBundleException(
                    "bundle mediaType is \"" + abbreviate(mediaType) + "\", not a Sigstore bundle");
        }
        Dsse dsse = root.has("dsseEnvelope") ? dsse(root.get("dsseEnvelope")) : null;
        boolean messageSignature = root.has("messageSignature");
        if ((dsse == null) == !messageSignature) {
            throw new InvalidBundleException("bundle must hold exactly one of dsseEnvelope and messageSignature");
        }
        JsonNode material = root.path("verificationMaterial");
        if (!material.isObject()) {
            throw new InvalidBundleException("bundle has no verificationMaterial");
        }
        String hint = material.path("publicKey").isObject()
                ? material.path("publicKey").path("hint").asText("")
                : null;
        List<byte[]> certificates = new ArrayList<>();
        if (material.path("certificate").isObject()) {
            certificates.add(base64(material.path("certificate").path("rawBytes"), "certificate.rawBytes"));
        }
        JsonNode chain = material.path("x509CertificateChain").path("certificates");
        if (chain.isArray()) {
            if (chain.size() > CosignLimits.MAX_DSSE_SIGNATURES) {
                throw new InvalidBundleException("bundle certificate chain has " + chain.size() + " certificates");
            }
            for (JsonNode cert : chain) {
                certificates.add(base64(cert.path("rawBytes"), "x509CertificateChain.rawBytes"));
            }
        }
        JsonNode tlog = material.path("tlogEntries");
        int entries = tlog.isArray() ? tlog.size() : 0;
        return new SigstoreBundle(bytes, mediaType, dsse, messageSignature, hint, certificates, entries);
    }

    private static Dsse dsse(JsonNode envelope) throws InvalidBundleException {
        if (!envelope.isObject() || !envelope.path("payloadType").isTextual()) {
            throw new InvalidBundleException("dsseEnvelope has no payloadType");
        }
        byte[] payload = base64(envelope.path("payload"), "dsseEnvelope.payload");
        if (payload.length > CosignLimits.MAX_STATEMENT_BYTES) {
            throw new InvalidBundleException("DSSE payload has " + payload.length + " bytes, more than the limit of "
                    + CosignLimits.MAX_STATEMENT_BYTES);
        }
        JsonNode signatures = envelope.path("signatures");
        if (!signatures.isArray() || signatures.isEmpty()) {
            throw new InvalidBundleException("dsseEnvelope has no signatures");
        }
        if (signatures.size() > CosignLimits.MAX_DSSE_SIGNATURES) {
            throw new InvalidBundleException("dsseEnvelope has " + signatures.size()
                    + " signatures, more than the limit of " + CosignLimits.MAX_DSSE_SIGNATURES);
        }
        List<byte[]> sigs = new ArrayList<>();
        for (JsonNode s : signatures) {
            sigs.add(base64(s.path("sig"), "dsseEnvelope.signatures.sig"));
        }
        return new Dsse(envelope.get("payloadType").textValue(), payload, sigs);
    }

    private static byte[] base64(JsonNode node, String field) throws InvalidBundleException {
        if (!node.isTextual() || node.textValue().isEmpty()) {
            throw new InvalidBundleException("bundle field " + field + " is missing");
        }
        try {
            return Base64.getDecoder().decode(node.textValue());
        } catch (IllegalArgumentException e) {
            throw new InvalidBundleException("bundle field " + field + " is not base64");
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }

    /** Whether this is a keyless bundle (a Fulcio certificate rather than a public key). */
    public boolean keyless() {
        return !certificates.isEmpty();
    }
}
