package io.trustgate.cache;

import java.time.Duration;

/**
 * How long each cache keeps what it learned, in one place. Its defaults are in the one table of settings
 * ({@code io.trustgate.config.Setting}, {@code TRUSTGATE_CACHE_*}).
 *
 * @param tagTtl tag to digest: short, so a moved tag is seen quickly
 * @param signatureTtl signatures read from a lookaside store for one digest
 * @param verdictTtl a policy's verdict on one image digest (never beyond the expiry of the trust data used)
 * @param trustDataRecheck how often Notary trust data of one repository is re-checked at most
 * @param failureTtl any failed upstream answer, so a storm of bad pods does not hammer an upstream
 * @param staleIfError how long a good verdict may still be served while its upstreams are unreachable
 *     (never beyond the expiry of the trust data used)
 * @param maxEntries bound of each cache
 */
public record CacheSettings(Duration tagTtl, Duration signatureTtl, Duration verdictTtl, Duration trustDataRecheck,
        Duration failureTtl, Duration staleIfError, long maxEntries) {

    /** Nothing is kept: every review asks the upstreams again (for tests and debugging). */
    public static CacheSettings disabled() {
        return new CacheSettings(Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, 0);
    }
}
