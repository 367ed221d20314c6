package io.trustgate.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustgate.image.ImageReference;
import io.trustgate.lookaside.LookasideStore;
import io.trustgate.notary.TrustDataFetcher;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Caches whose values an upstream sizes are bounded by bytes, not by count. */
class CacheWeightTest {

    private static final int FOUR_MIB = 4 * 1024 * 1024;
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-06-01T12:00:00Z"), ZoneOffset.UTC);

    private static long weight(OutcomeCache<?, ?> cache) {
        cache.view().cleanUp();
        return cache.view().policy().eviction().orElseThrow().weightedSize().orElseThrow();
    }

    @Test
    @DisplayName("trust files of 4 MiB: the cache keeps them up to its byte bound and never weighs more")
    void trustDataByWeight() {
        TrustDataFetcher upstream = (gun, role, max) -> CompletableFuture.completedFuture(new byte[FOUR_MIB]);
        CachingTrustDataFetcher fetcher = new CachingTrustDataFetcher(
                upstream, io.trustgate.config.TrustgateSettings.defaults().cache(), CLOCK, Runnable::run);
        int fit = (int) (CacheSettings.MAX_TRUST_DATA_BYTES / (FOUR_MIB + OutcomeCache.ENTRY_OVERHEAD_BYTES));
        for (int i = 0; i < fit; i++) {
            fetcher.fetch("r.example/app" + i, "targets", FOUR_MIB).join();
        }
        assertThat(fetcher.cache().view().estimatedSize())
                .as("just under the bound, all kept")
                .isEqualTo(fit);

        for (int i = fit; i < fit + 8; i++) {
            fetcher.fetch("r.example/app" + i, "targets", FOUR_MIB).join();
        }
        assertThat(weight(fetcher.cache())).isLessThanOrEqualTo(CacheSettings.MAX_TRUST_DATA_BYTES);
        assertThat(fetcher.cache().view().estimatedSize()).isLessThanOrEqualTo(fit);
    }

    @Test
    @DisplayName("lookaside signatures are weighed by their bytes; disabled settings keep nothing")
    void signaturesByWeight() throws Exception {
        List<byte[]> sixteen = Collections.nCopies(16, new byte[64 * 1024]);
        LookasideStore upstream = (base, ref, digest) -> CompletableFuture.completedFuture(sixteen);
        CachingLookasideStore store = new CachingLookasideStore(
                upstream, io.trustgate.config.TrustgateSettings.defaults().cache(), CLOCK);
        ImageReference image = ImageReference.parse("r.example/app:1");
        for (int i = 0; i < 40; i++) {
            store.signatures("https://s.example", image, "sha256:" + String.format("%064d", i))
                    .join();
        }
        assertThat(weight(store.cache()))
                .isLessThanOrEqualTo(CacheSettings.MAX_SIGNATURE_BYTES)
                .isGreaterThan(CacheSettings.MAX_SIGNATURE_BYTES / 2);

        CachingLookasideStore disabled = new CachingLookasideStore(upstream, CacheSettings.disabled(), CLOCK);
        disabled.signatures("https://s.example", image, "sha256:" + "0".repeat(64))
                .join();
        assertThat(weight(disabled.cache())).isZero();
    }
}
