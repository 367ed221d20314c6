package io.trustgate.registry;

import java.util.List;

/**
 * The referrers of one manifest digest, as one of the two discovery paths of the OCI distribution spec 1.1 found
 * them: the referrers API ({@code GET /v2/<name>/referrers/<digest>}) or, when a registry answers that with 404,
 * the referrers tag schema (the tag {@code <alg>-<hex>} holding an OCI index that clients keep up to date).
 *
 * @param entries the entries that passed the artifact type filter, at most {@link #MAX_REFERRERS}
 * @param discovery which path answered
 * @param truncated whether more entries (or pages) were left unread because of the bounds below
 */
public record Referrers(List<Referrer> entries, Discovery discovery, boolean truncated) {

    /** Largest referrers index read (one API page, or the tag-schema index). */
    public static final int MAX_INDEX_BYTES = 512 * 1024;

    /** Most pages of the referrers API followed through {@code Link: <...>; rel="next"}. */
    public static final int MAX_PAGES = 4;

    /** Most entries kept for one digest (after the artifact type filter); the rest is reported as truncated. */
    public static final int MAX_REFERRERS = 128;

    /** How the referrers were discovered. */
    public enum Discovery {
        /** The registry serves the referrers API. */
        API,
        /** The registry answered the API with 404; the referrers tag was read (absent tag: no referrers). */
        TAG_SCHEMA
    }

    public Referrers {
        entries = List.copyOf(entries);
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
