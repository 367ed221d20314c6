package io.trustgate.cosign;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The OCI 1.1 referrer manifest cosign 3.x pushes for one signature: {@code artifactType}
 * {@value SigstoreBundle#MEDIA_TYPE_V03}, {@code subject} the signed image, one layer holding the bundle.
 *
 * @param bundleDigest the bundle blob's digest; the blob must be checked against it
 * @param bundleSize the bundle blob's declared size, at most {@link CosignLimits#MAX_BUNDLE_BYTES}
 */
public record BundleReferrer(String bundleDigest, long bundleSize) {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    public BundleReferrer {
        Objects.requireNonNull(bundleDigest, "bundleDigest");
    }

    /**
     * Reads a referrer manifest fetched by digest. Its {@code subject} must be {@code subjectDigest} (a referrer
     * listed for one image cannot stand in for another's) and it must hold exactly one bundle layer.
     */
    public static BundleReferrer parse(byte[] manifest, String subjectDigest) throws InvalidBundleException {
        JsonNode root = read(manifest, "referrer manifest");
        String subject = root.path("subject").path("digest").asText("");
        if (!subject.equals(subjectDigest)) {
            throw new InvalidBundleException("the referrer's subject is " + (subject.isEmpty() ? "missing" : subject)
                    + ", not " + subjectDigest);
        }
        JsonNode layers = root.path("layers");
        List<JsonNode> bundles = new ArrayList<>();
        if (layers.isArray()) {
            for (JsonNode layer : layers) {
                if (SigstoreBundle.MEDIA_TYPE_V03.equals(layer.path("mediaType").asText(""))) {
                    bundles.add(layer);
                }
            }
        }
        if (bundles.size() != 1) {
            throw new InvalidBundleException("the referrer has " + bundles.size() + " bundle layers, not one");
        }
        JsonNode layer = bundles.get(0);
        String digest = layer.path("digest").asText("");
        if (!DIGEST.matcher(digest).matches()) {
            throw new InvalidBundleException("the bundle layer digest is not sha256:<hex>");
        }
        JsonNode size = layer.path("size");
        if (!size.canConvertToLong() || size.asLong() < 0 || size.asLong() > CosignLimits.MAX_BUNDLE_BYTES) {
            throw new InvalidBundleException("the bundle layer declares size " + size + "; bundles are at most "
                    + CosignLimits.MAX_BUNDLE_BYTES + " bytes");
        }
        return new BundleReferrer(digest, size.asLong());
    }

    private static JsonNode read(byte[] bytes, String what) throws InvalidBundleException {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length > CosignLimits.MAX_MANIFEST_BYTES) {
            throw new InvalidBundleException(what + " has " + bytes.length + " bytes, more than the limit of "
                    + CosignLimits.MAX_MANIFEST_BYTES);
        }
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new InvalidBundleException(what + " is not JSON");
        }
        if (root == null || !root.isObject()) {
            throw new InvalidBundleException(what + " is not a JSON object");
        }
        return root;
    }
}
