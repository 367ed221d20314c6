package io.trustgate.registry;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads an OCI image index as the referrers API or the referrers tag schema serves it, keeping the entries of one
 * artifact type. The filter is always applied here: a registry may ignore {@code ?artifactType=} (it then omits
 * {@code OCI-Filters-Applied}), and the tag-schema index is never filtered.
 */
public final class ReferrersIndex {

    private static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128}");

    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(32)
                            .maxDocumentLength(Referrers.MAX_INDEX_BYTES)
                            .build())
                    .build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    /**
     * The entries of one listing kept so far, across its pages: at most {@link Referrers#MAX_REFERRERS} of each
     * artifact type and {@link Referrers#MAX_LISTED} in all. Not thread-safe: one listing is read by one chain.
     */
    public static final class Listing {
        private final List<Referrer> kept = new ArrayList<>();
        private final Map<String, Integer> perType = new HashMap<>();
        private final Set<String> capped = new TreeSet<>();
        private boolean full;
        private boolean filtered;

        /** Whether an entry was left out because the listing held {@link Referrers#MAX_LISTED}. */
        public boolean full() {
            return full;
        }

        /**
         * What was kept; truncated when the listing was full, {@code morePages} were left unread, or (a listing of one
         * artifact type) that type reached its cap.
         */
        public Referrers result(Referrers.Discovery discovery, boolean morePages) {
            return new Referrers(kept, discovery, full || morePages || (filtered && !capped.isEmpty()), capped);
        }
    }

    /** The body is not an OCI image index of referrers. */
    public static final class InvalidIndexException extends Exception {
        private static final long serialVersionUID = 1L;

        public InvalidIndexException(String message) {
            super(message);
        }
    }

    private ReferrersIndex() {}

    /**
     * Reads one index (one page) into {@code into}, keeping the entries of {@code artifactType} ({@code null}: all)
     * within the listing's per-type and total bounds.
     */
    public static void read(byte[] body, String artifactType, Listing into) throws InvalidIndexException {
        into.filtered |= artifactType != null;
        JsonNode manifests = manifests(body);
        if (manifests == null) {
            return;
        }
        for (JsonNode entry : manifests) {
            if (!entry.isObject()) {
                throw new InvalidIndexException("a referrers index entry is not an object");
            }
            String type = entry.path("artifactType").isTextual()
                    ? entry.get("artifactType").textValue()
                    : null;
            if (artifactType != null && !artifactType.equals(type)) {
                continue;
            }
            String key = type == null ? Referrers.NO_ARTIFACT_TYPE : type;
            int count = into.perType.getOrDefault(key, 0);
            if (count >= Referrers.MAX_REFERRERS) {
                into.capped.add(key);
                continue;
            }
            if (into.kept.size() >= Referrers.MAX_LISTED) {
                into.full = true;
                continue;
            }
            into.kept.add(referrer(entry, type));
            into.perType.put(key, count + 1);
        }
    }

    /** The {@code manifests} array of an index, {@code null} when it has none. */
    private static JsonNode manifests(byte[] body) throws InvalidIndexException {
        if (body.length > Referrers.MAX_INDEX_BYTES) {
            throw new InvalidIndexException("referrers index has " + body.length + " bytes, more than the limit of "
                    + Referrers.MAX_INDEX_BYTES);
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new InvalidIndexException("referrers index is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidIndexException("referrers index cannot be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidIndexException("referrers index is not a JSON object");
        }
        JsonNode mediaType = root.get("mediaType");
        if (mediaType != null && !MediaTypes.OCI_INDEX.equals(mediaType.asText())) {
            throw new InvalidIndexException("referrers index has media type \"" + abbreviate(mediaType.asText())
                    + "\", not " + MediaTypes.OCI_INDEX);
        }
        JsonNode manifests = root.get("manifests");
        if (manifests == null || manifests.isNull()) {
            return null;
        }
        if (!manifests.isArray()) {
            throw new InvalidIndexException("referrers index has no \"manifests\" array");
        }
        return manifests;
    }

    private static Referrer referrer(JsonNode entry, String type) throws InvalidIndexException {
        String digest = entry.path("digest").asText("");
        if (!DIGEST.matcher(digest).matches()) {
            throw new InvalidIndexException("a referrers index entry has digest \"" + abbreviate(digest)
                    + "\", not sha256:<hex> or sha512:<hex>");
        }
        JsonNode size = entry.path("size");
        if (!size.canConvertToLong() || size.asLong() < 0) {
            throw new InvalidIndexException("referrer " + digest + " has no valid size");
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        entry.path("annotations").fields().forEachRemaining(field -> {
            if (field.getValue().isTextual()) {
                annotations.put(field.getKey(), field.getValue().textValue());
            }
        });
        return new Referrer(entry.path("mediaType").asText(null), type, digest, size.asLong(), annotations);
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
