package io.trustgate.webhook;

import io.micrometer.core.instrument.MeterRegistry;
import io.trustgate.admission.AdmissionHandler;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.trustgate.cache.CacheSettings;
import io.trustgate.cache.CachingLookasideStore;
import io.trustgate.cache.CachingRegistryClient;
import io.trustgate.cache.OutcomeCache;
import io.trustgate.k8s.PolicyCompiler;
import io.trustgate.k8s.SecretPullCredentials;
import io.trustgate.pgp.SimpleSigning;
import io.trustgate.policy.InvalidPolicyException;
import io.trustgate.transport.TransportOptions;
import io.trustgate.transport.VertxLookasideStore;
import io.trustgate.transport.VertxRegistryClient;
import io.micrometer.core.instrument.Tag;
import io.trustgate.cache.CachingTrustDataFetcher;
import io.trustgate.notary.TrustDataFetcher;
import io.trustgate.policy.NotaryConfig;
import io.trustgate.transport.VertxTrustDataFetcher;
import io.trustgate.verify.NotarySignatureSource;
import java.util.function.Function;
import io.trustgate.verify.GpgSignatureSource;
import io.trustgate.verify.ImageVerifier;
import io.trustgate.verify.SignatureSource;
import io.vertx.core.Vertx;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Builds the core from configuration: the only place that knows which implementation serves which interface. */
public class Wiring {

    private static final String PGP_ARMOUR = "-----BEGIN PGP PUBLIC KEY BLOCK-----";

    @Produces
    @Singleton
    PolicyCompiler.KeyCheck keyCheck() {
        return (signer, key) -> {
            if (key.contains(PGP_ARMOUR)) {
                GpgSignatureSource.checkKey(signer, key);
                return;
            }
            try {
                NotarySignatureSource.checkKey(key);
            } catch (InvalidPolicyException e) {
                throw new InvalidPolicyException("signer \"" + signer + "\": " + e.getMessage(), e);
            }
        };
    }

    @Produces
    @Singleton
    TransportOptions transportOptions(TrustgateConfig config) {
        TrustgateConfig.Upstream u = config.upstream();
        return TransportOptions.defaults()
                .withTimeouts(u.connectTimeout(), u.requestTimeout())
                .withMaxManifestBytes(u.maxManifestBytes())
                .withSignatureLimits(u.maxSignatures(), u.maxSignatureBytes())
                .withInsecureHosts(config.insecureRegistries().orElse(List.of()).toArray(String[]::new));
    }

    /** Secret and ServiceAccount reads (API calls in cluster mode) run here, never on an I/O thread. */
    private static ExecutorService pullSecretLookups() {
        return Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "trustgate-pull-secrets");
            t.setDaemon(true);
            return t;
        });
    }

    /** Signature checks run here, never on an I/O thread. */
    private static ExecutorService cryptoExecutor() {
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        return Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "trustgate-crypto");
            t.setDaemon(true);
            return t;
        });
    }

    @Produces
    @Singleton
    ImageVerifier imageVerifier(Vertx vertx, TransportOptions options, TrustgateConfig config, MeterRegistry metrics) {
        Clock clock = Clock.systemUTC();
        ExecutorService crypto = cryptoExecutor();
        CacheSettings cache = config.cache().settings();
        UpstreamMetrics upstream = new UpstreamMetrics(metrics);
        CachingLookasideStore lookaside = new CachingLookasideStore(
                upstream.lookaside(new VertxLookasideStore(vertx, options)), cache, clock);
        CachingRegistryClient registry = new CachingRegistryClient(
                upstream.registry(new VertxRegistryClient(vertx, options, clock)), cache, clock);
        Function<NotaryConfig, TrustDataFetcher> notaryServers = VertxTrustDataFetcher.factory(vertx, options, clock);
        Function<NotaryConfig, TrustDataFetcher> cachedNotary = server -> {
            CachingTrustDataFetcher fetcher = new CachingTrustDataFetcher(
                    upstream.notary(String.valueOf(server.server()), notaryServers.apply(server)), cache, clock, crypto);
            CaffeineCacheMetrics.monitor(metrics, fetcher.cache().view(), fetcher.cache().name(),
                    List.of(Tag.of("server", String.valueOf(server.server()))));
            return fetcher;
        };
        List<SignatureSource> sources = List.of(
                new GpgSignatureSource(lookaside, new SimpleSigning(clock), crypto),
                new NotarySignatureSource(cachedNotary, clock, config.expiryWarning()).observe(new ExpiryGauges(metrics)));
        ImageVerifier verifier = new ImageVerifier(registry, sources, clock, cache);
        for (OutcomeCache<?, ?> c : List.of(registry.cache(), lookaside.cache(), verifier.verdictCache())) {
            CaffeineCacheMetrics.monitor(metrics, c.view(), c.name());
        }
        return verifier;
    }

    @Produces
    @Singleton
    AdmissionHandler admissionHandler(TrustgateConfig config, PolicyStore store, PolicySources sources,
            ImageVerifier verifier, MeterRegistry metrics) {
        SecretPullCredentials credentials = new SecretPullCredentials(sources, sources, config.namespace(), config.pullSecret(),
                pullSecretLookups(), config.cache().tagTtl());
        AdmissionHandler handler = new AdmissionHandler(store::get, sources, credentials, verifier, config.unmatched(),
                new MetricsListener(metrics), config.deadline());
        metrics.gauge("trustgate.verifications.in.flight", handler, AdmissionHandler::inFlight);
        return handler;
    }
}
