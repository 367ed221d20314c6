package io.trustgate.cache;

import java.time.Duration;

/**
 * How long each cache keeps what it learned, in one place. Its defaults are in the one table of settings
 * ({@code io.trustgate.config.Setting}, {@code TRUSTGATE_CACHE_*}).
 *
 * @param tagTtl tag to digest: short, so a moved tag is seen quickly
 * @param signatureTtl signatures read from a lookaside store for one digest (an empty answer, a
 *     {@code signature-1} 404, lives no longer than {@code denialTtl})
 * @param verdictTtl a policy's verdict on one image digest (never beyond the expiry of the trust data used)
 * @param trustDataRecheck how often Notary trust data of one repository is re-checked at most
 * @param failureTtl an upstream that failed to answer (unreachable, timeout, 5xx), so a storm of bad pods does
 *     not hammer an upstream; also the lifetime of a verdict made while an upstream was unavailable
 * @param staleIfError how long a good verdict may still be served for the same digest while its upstreams are
 *     unreachable (never beyond the expiry of the trust data used)
 * @param maxEntries bound of each cache counted in entries (the trust-data and signature caches are bounded
 *     by bytes instead: {@link #MAX_TRUST_DATA_BYTES}, {@link #MAX_SIGNATURE_BYTES}, and so are the registry
 *     client's shared answers: {@link #MAX_SHARED_ANSWER_BYTES})
 * @param denialTtl a denial for missing or invalid signatures (upstreams answered): the verdict lives this
 *     long at most, and when it is checked again the signature sources ask their upstreams afresh, so a
 *     signature added after a rejection is seen within about this time
 */
public record CacheSettings(
        Duration tagTtl,
        Duration signatureTtl,
        Duration verdictTtl,
        Duration trustDataRecheck,
        Duration failureTtl,
        Duration staleIfError,
        long maxEntries,
        Duration denialTtl) {

    /**
     * Most bytes of Notary trust files kept (a file may be 4 MiB: counted entries alone would allow 40 GiB).
     * Weighed per file; 0 entries in the settings means nothing is kept.
     */
    public static final long MAX_TRUST_DATA_BYTES = 32L * 1024 * 1024;

    /** Most bytes of lookaside signatures kept (16 files of 64 KiB per digest at most). */
    public static final long MAX_SIGNATURE_BYTES = 16L * 1024 * 1024;

    /**
     * Most bytes of upstream answers each of the registry client's short-lived shared-answer caches keeps
     * (manifests in flight and by digest, blobs, referrers listings; {@code CachingRegistryClient}): a manifest may
     * be 4 MiB and a referrers listing 4 pages of 512 KiB, so counted entries alone would allow tens of GiB.
     * Answers in flight weigh nothing until they arrive (they are bounded by the requests under way).
     */
    public static final long MAX_SHARED_ANSWER_BYTES = 16L * 1024 * 1024;

    /** {@code maxBytes}, or 0 when these settings keep nothing. */
    long weightBound(long maxBytes) {
        return maxEntries == 0 ? 0 : maxBytes;
    }

    /** Nothing is kept: every review asks the upstreams again (for tests and debugging). */
    public static CacheSettings disabled() {
        return new CacheSettings(
                Duration.ZERO,
                Duration.ZERO,
                Duration.ZERO,
                Duration.ZERO,
                Duration.ZERO,
                Duration.ZERO,
                0,
                Duration.ZERO);
    }

    /** The same settings with another denial TTL. */
    public CacheSettings withDenialTtl(Duration ttl) {
        return new CacheSettings(
                tagTtl, signatureTtl, verdictTtl, trustDataRecheck, failureTtl, staleIfError, maxEntries, ttl);
    }
}
