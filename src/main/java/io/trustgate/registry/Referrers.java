package io.trustgate.registry;

import java.util.List;
import java.util.Set;

/**
 * The referrers of one manifest digest, as one of the two discovery paths of the OCI distribution spec 1.1 found
 * them: the referrers API ({@code GET /v2/<name>/referrers/<digest>}) or, when a registry answers that with 404,
 * the referrers tag schema (the tag {@code <alg>-<hex>} holding an OCI index that clients keep up to date).
 *
 * @param entries the entries that passed the artifact type filter, at most {@link #MAX_REFERRERS} of each artifact
 *     type and {@link #MAX_LISTED} in all
 * @param discovery which path answered
 * @param truncated whether more entries (or pages) were left unread because of the bounds below: the listing's
 *     total ({@link #MAX_LISTED}, {@link #MAX_PAGES}), or, once filtered by {@link #ofType}, that type's cap
 * @param cappedTypes the artifact types ({@link #NO_ARTIFACT_TYPE} for entries without one) that had more than
 *     {@link #MAX_REFERRERS} entries, the rest of which were left out
 */
public record Referrers(List<Referrer> entries, Discovery discovery, boolean truncated, Set<String> cappedTypes) {

    /** Largest referrers index read (one API page, or the tag-schema index). */
    public static final int MAX_INDEX_BYTES = 512 * 1024;

    /** Most pages of the referrers API followed through {@code Link: <...>; rel="next"}. */
    public static final int MAX_PAGES = 4;

    /**
     * Most entries kept for one digest of one artifact type (a cosign bundle, a Notation signature, an attestation
     * type, ...); the rest is reported in {@link #cappedTypes}. Per type, so that many referrers of other types (SBOMs,
     * attestations) cannot push an image's signatures out of the listing.
     */
    public static final int MAX_REFERRERS = 128;

    /**
     * Most entries kept for one digest in all artifact types together (its bytes are bounded by
     * {@link #MAX_INDEX_BYTES} per page and {@link #MAX_PAGES} pages); the rest is reported as truncated.
     */
    public static final int MAX_LISTED = 1024;

    /** The key in {@link #cappedTypes} of the entries that name no artifact type. */
    public static final String NO_ARTIFACT_TYPE = "";

    /** How the referrers were discovered. */
    public enum Discovery {
        /** The registry serves the referrers API. */
        API,
        /** The registry answered the API with 404; the referrers tag was read (absent tag: no referrers). */
        TAG_SCHEMA
    }

    public Referrers {
        entries = List.copyOf(entries);
        cappedTypes = Set.copyOf(cappedTypes);
    }

    /** A listing in which no artifact type reached its cap. */
    public Referrers(List<Referrer> entries, Discovery discovery, boolean truncated) {
        this(entries, discovery, truncated, Set.of());
    }

    /** The entries of one artifact type; truncated when the listing was, or when that type reached its cap. */
    public Referrers ofType(String artifactType) {
        return new Referrers(
                entries.stream()
                        .filter(r -> artifactType.equals(r.artifactType()))
                        .toList(),
                discovery,
                truncated || cappedTypes.contains(artifactType),
                cappedTypes.contains(artifactType) ? Set.of(artifactType) : Set.of());
    }

    /** Whether entries of {@code artifactType} were left out at {@link #MAX_REFERRERS}. */
    public boolean capped(String artifactType) {
        return cappedTypes.contains(artifactType == null ? NO_ARTIFACT_TYPE : artifactType);
    }

    /**
     * The referrers tag of a digest per the distribution spec: {@code <alg>-<ref>}, the algorithm cut to 32 and the
     * encoded part to 64 characters ({@code sha256:ab..} becomes {@code sha256-ab..}).
     */
    public static String tagSchemaTag(String digest) {
        int colon = digest.indexOf(':');
        if (colon <= 0 || colon == digest.length() - 1) {
            throw new IllegalArgumentException("not a digest: " + digest);
        }
        String algorithm = digest.substring(0, colon);
        String encoded = digest.substring(colon + 1);
        return algorithm.substring(0, Math.min(32, algorithm.length())) + "-"
                + encoded.substring(0, Math.min(64, encoded.length()));
    }
}
