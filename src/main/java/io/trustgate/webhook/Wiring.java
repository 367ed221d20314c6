package io.trustgate.webhook;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.trustgate.admission.AdmissionHandler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.trustgate.k8s.ConfigMapVersionStore;
import io.trustgate.k8s.PolicyCompiler;
import io.trustgate.k8s.SecretPullCredentials;
import io.trustgate.notary.FileVersionStore;
import io.trustgate.notary.InMemoryVersionStore;
import io.trustgate.notary.VersionStore;
import io.trustgate.runtime.VerifierStack;
import io.trustgate.transport.TransportOptions;
import io.trustgate.verify.ImageVerifier;
import io.vertx.core.Vertx;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * CDI adapter over {@link VerifierStack}: maps {@link TrustgateConfig} to its settings and the webhook's
 * metrics (upstream timing, Notary expiry gauges, cache metrics) to its hooks. The only place that knows
 * which implementation serves which interface in the webhook.
 */
public class Wiring {

    @Produces
    @Singleton
    PolicyCompiler.KeyCheck keyCheck() {
        return VerifierStack.keyCheck();
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

    /**
     * The Notary rollback state: a file in directory mode, the shared ConfigMap in cluster mode (read on its
     * own thread; {@link StateReadiness} holds readiness until it has been read).
     */
    @Produces
    @Singleton
    VersionStore versionStore(TrustgateConfig config, Instance<KubernetesClient> kubernetes) {
        if (config.policiesDir().isPresent()) {
            return new FileVersionStore(Path.of(config.stateDir()).resolve("notary-versions.json"),
                    InMemoryVersionStore.DEFAULT_MAX_ENTRIES, Clock.systemUTC());
        }
        return new ConfigMapVersionStore(kubernetes.get(), config.namespace(), config.stateConfigMap(),
                Clock.systemUTC()).start();
    }

    void closeVersionStore(@Disposes VersionStore store) {
        store.close();
    }

    @Produces
    @Singleton
    VerifierStack verifierStack(Vertx vertx, TransportOptions options, TrustgateConfig config, MeterRegistry metrics,
            VersionStore versions) {
        UpstreamMetrics upstream = new UpstreamMetrics(metrics);
        VerifierStack.Hooks hooks = new VerifierStack.Hooks(upstream::registry, upstream::lookaside, upstream::notary,
                new ExpiryGauges(metrics),
                (cache, labels) -> CaffeineCacheMetrics.monitor(metrics, cache.view(), cache.name(),
                        labels.entrySet().stream().map(e -> Tag.of(e.getKey(), e.getValue())).toList()));
        return VerifierStack.create(vertx, new VerifierStack.Settings(options, config.cache().settings(),
                Clock.systemUTC(), config.expiryWarning(), hooks, versions));
    }

    @Produces
    @Singleton
    ImageVerifier imageVerifier(VerifierStack stack) {
        return stack.verifier();
    }

    @Produces
    @Singleton
    AdmissionHandler admissionHandler(TrustgateConfig config, PolicyStore store, PolicySources sources,
            ImageVerifier verifier, MeterRegistry metrics) {
        SecretPullCredentials credentials = new SecretPullCredentials(sources, config.podPullSecrets(), sources,
                config.namespace(), config.pullSecret(), pullSecretLookups(), config.cache().tagTtl());
        AdmissionHandler handler = new AdmissionHandler(store::get, sources, credentials, verifier, config.unmatched(),
                new MetricsListener(metrics), config.deadline());
        metrics.gauge("trustgate.verifications.in.flight", handler, AdmissionHandler::inFlight);
        return handler;
    }
}
