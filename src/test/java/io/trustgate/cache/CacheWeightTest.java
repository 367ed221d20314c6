package io.trustgate.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustgate.image.ImageReference;
import io.trustgate.lookaside.LookasideStore;
import io.trustgate.notary.TrustDataFetcher;
import io.trustgate.registry.ManifestDescriptor;
import io.trustgate.registry.Referrer;
import io.trustgate.registry.Referrers;
import io.trustgate.registry.RegistryClient;
import io.trustgate.registry.RegistryCredentials;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
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

    @Test
    @DisplayName("the registry client's shared answers are weighed by their bytes: 4 MiB manifests by digest just over "
            + "the bound evict, an evicted digest is fetched again, and each digest is answered with its own body")
    void sharedAnswersByWeight() throws Exception {
        Map<String, Integer> calls = new ConcurrentHashMap<>();
        RegistryClient upstream = new RegistryClient() {
            @Override
            public CompletableFuture<ManifestDescriptor> resolve(ImageReference ref, RegistryCredentials who) {
                throw new UnsupportedOperationException();
            }

            @Override
            public CompletableFuture<Optional<byte[]>> fetchManifest(
                    ImageReference ref, long maxBytes, RegistryCredentials who) {
                calls.merge(ref.digest(), 1, Integer::sum);
                return CompletableFuture.completedFuture(Optional.of(body(ref.digest())));
            }
        };
        CachingRegistryClient client = new CachingRegistryClient(
                upstream, io.trustgate.config.TrustgateSettings.defaults().cache(), CLOCK);
        int fit = (int) (CacheSettings.MAX_SHARED_ANSWER_BYTES / (FOUR_MIB + OutcomeCache.ENTRY_OVERHEAD_BYTES));
        List<String> digests = new ArrayList<>();
        for (int i = 0; i <= fit; i++) {
            digests.add("sha256:" + String.format("%064x", i));
        }
        for (String d : digests) {
            assertThat(fetch(client, d)).as(d).isEqualTo(body(d));
        }
        assertThat(calls.values())
                .as("first round: one upstream call per digest")
                .containsOnly(1);
        OutcomeCache<?, ?> byDigest = client.sharedAnswers().get("manifests-by-digest");
        assertThat(weight(byDigest)).isLessThanOrEqualTo(CacheSettings.MAX_SHARED_ANSWER_BYTES);
        assertThat(byDigest.view().estimatedSize())
                .as("one over the bound: evicted")
                .isEqualTo(fit);

        for (String d : digests) {
            assertThat(fetch(client, d)).as(d + " again").isEqualTo(body(d));
        }
        assertThat(calls.values().stream().mapToInt(Integer::intValue).sum())
                .as("the evicted digest went to the upstream again")
                .isGreaterThan(digests.size());
        assertThat(weight(byDigest)).isLessThanOrEqualTo(CacheSettings.MAX_SHARED_ANSWER_BYTES);
    }

    @Test
    @DisplayName("settings that keep nothing still share a manifest in flight, and keep no arrived answer")
    void sharedAnswersDisabledStillSingleFlight() throws Exception {
        CompletableFuture<Optional<byte[]>> pending = new CompletableFuture<>();
        int[] calls = {0};
        RegistryClient upstream = new RegistryClient() {
            @Override
            public CompletableFuture<ManifestDescriptor> resolve(ImageReference ref, RegistryCredentials who) {
                throw new UnsupportedOperationException();
            }

            @Override
            public CompletableFuture<Optional<byte[]>> fetchManifest(
                    ImageReference ref, long maxBytes, RegistryCredentials who) {
                calls[0]++;
                return calls[0] == 1 ? pending : CompletableFuture.completedFuture(Optional.of(body(ref.digest())));
            }
        };
        CachingRegistryClient client = new CachingRegistryClient(upstream, CacheSettings.disabled(), CLOCK);
        String d = "sha256:" + "1".repeat(64);
        ImageReference ref = ImageReference.parse("r.example/app@" + d);
        CompletableFuture<Optional<byte[]>> first = client.fetchManifest(ref, FOUR_MIB, RegistryCredentials.ANONYMOUS);
        CompletableFuture<Optional<byte[]>> second = client.fetchManifest(ref, FOUR_MIB, RegistryCredentials.ANONYMOUS);
        assertThat(calls[0]).as("in flight: one call").isEqualTo(1);
        pending.complete(Optional.of(body(d)));
        assertThat(first.join()).contains(body(d));
        assertThat(second.join()).contains(body(d));
        assertThat(fetch(client, d)).isEqualTo(body(d));
        assertThat(calls[0]).as("arrived answers are not kept").isEqualTo(2);
    }

    @Test
    @DisplayName("a referrers listing weighs its entries' strings and annotations")
    void referrersWeight() {
        Referrer plain = new Referrer(
                "application/vnd.oci.image.manifest.v1+json", null, "sha256:" + "a".repeat(64), 10, Map.of());
        Referrer annotated =
                new Referrer(plain.mediaType(), "application/x", plain.digest(), 10, Map.of("k", "v".repeat(1000)));
        int one = CachingRegistryClient.weight(new Referrers(List.of(plain), Referrers.Discovery.API, false));
        int two =
                CachingRegistryClient.weight(new Referrers(List.of(plain, annotated), Referrers.Discovery.API, false));
        assertThat(one).isGreaterThan(2 * plain.digest().length());
        assertThat(two - one).isGreaterThan(2000);
    }

    private static byte[] body(String digest) {
        byte[] b = new byte[FOUR_MIB];
        byte[] d = digest.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(d, 0, b, 0, d.length);
        return b;
    }

    private static byte[] fetch(CachingRegistryClient client, String digest) throws Exception {
        return client.fetchManifest(
                        ImageReference.parse("r.example/app@" + digest), FOUR_MIB, RegistryCredentials.ANONYMOUS)
                .join()
                .orElseThrow();
    }
}
