package io.trustgate.cosign;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The manifest cosign 2.x pushes as {@code sha256-<hex>.sig}: one layer per signature, the payload in the layer
 * blob and the base64 signature in its {@value #SIGNATURE_ANNOTATION} annotation.
 *
 * @param layers the signature layers, in manifest order
 */
public record SignatureManifest(List<Layer> layers) {

    /** The annotation holding a layer's base64 signature. */
    public static final String SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";

    /** The media type of a simple-signing payload layer. */
    public static final String PAYLOAD_MEDIA_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    /**
     * One signature layer.
     *
     * @param digest the payload blob's digest ({@code sha256:<hex>}); the blob must be checked against it
     * @param size the payload blob's declared size, at most {@link CosignLimits#MAX_PAYLOAD_BYTES}
     * @param signature the base64 signature annotation
     */
    public record Layer(String digest, long size, String signature) {
        public Layer {
            Objects.requireNonNull(digest, "digest");
            Objects.requireNonNull(signature, "signature");
        }
    }

    public SignatureManifest {
        layers = List.copyOf(layers);
    }

    /** The {@code .sig} tag cosign uses for a manifest digest: {@code sha256:<hex>} becomes {@code sha256-<hex>.sig}. */
    public static String signatureTag(String manifestDigest) {
        if (manifestDigest == null || !DIGEST.matcher(manifestDigest).matches()) {
            throw new IllegalArgumentException("not a sha256 manifest digest: " + manifestDigest);
        }
        return manifestDigest.replace(':', '-') + ".sig";
    }

    /**
     * Reads a {@code .sig} manifest. Layers of another media type, or without a signature annotation, are skipped
     * (cosign writes none); more than {@link CosignLimits#MAX_SIGNATURE_LAYERS} layers is an error.
     */
    public static SignatureManifest parse(byte[] manifest) throws InvalidSignatureManifestException {
        Objects.requireNonNull(manifest, "manifest");
        if (manifest.length > CosignLimits.MAX_MANIFEST_BYTES) {
            throw new InvalidSignatureManifestException("signature manifest has " + manifest.length
                    + " bytes, more than the limit of " + CosignLimits.MAX_MANIFEST_BYTES);
        }
        JsonNode root;
        try {
            root = JSON.readTree(manifest);
        } catch (JsonProcessingException e) {
            throw new InvalidSignatureManifestException("signature manifest is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidSignatureManifestException("signature manifest cannot be read: " + e.getMessage());
        }
        if (root == null || !root.isObject() || !root.path("layers").isArray()) {
            throw new InvalidSignatureManifestException("signature manifest has no \"layers\" array");
        }
        JsonNode layers = root.get("layers");
        if (layers.size() > CosignLimits.MAX_SIGNATURE_LAYERS) {
            throw new InvalidSignatureManifestException("signature manifest has " + layers.size()
                    + " layers, more than the limit of " + CosignLimits.MAX_SIGNATURE_LAYERS);
        }
        List<Layer> result = new ArrayList<>(layers.size());
        for (JsonNode layer : layers) {
            if (!layer.isObject()
                    || !PAYLOAD_MEDIA_TYPE.equals(layer.path("mediaType").asText(""))
                    || !layer.path("annotations").path(SIGNATURE_ANNOTATION).isTextual()) {
                continue;
            }
            String digest = layer.path("digest").asText("");
            if (!DIGEST.matcher(digest).matches()) {
                throw new InvalidSignatureManifestException("signature layer digest is not sha256:<hex>");
            }
            JsonNode size = layer.path("size");
            if (!size.canConvertToLong() || size.asLong() < 0 || size.asLong() > CosignLimits.MAX_PAYLOAD_BYTES) {
                throw new InvalidSignatureManifestException("signature layer " + digest + " declares size " + size
                        + "; payloads are at most " + CosignLimits.MAX_PAYLOAD_BYTES + " bytes");
            }
            result.add(new Layer(
                    digest,
                    size.asLong(),
                    layer.get("annotations").get(SIGNATURE_ANNOTATION).textValue()));
        }
        return new SignatureManifest(result);
    }
}
