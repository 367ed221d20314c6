package io.trustgate.webhook;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.trustgate.admission.AdmissionHandler;
import io.trustgate.admission.AdmissionListener;
import io.trustgate.admission.PullCredentials;
import io.trustgate.config.InvalidSettingException;
import io.trustgate.config.Setting;
import io.trustgate.config.TrustgateSettings;
import io.trustgate.image.ImageReference;
import io.trustgate.k8s.ClusterEvents;
import io.trustgate.k8s.ConfigMapVersionStore;
import io.trustgate.k8s.PolicyCompiler;
import io.trustgate.k8s.SecretPullCredentials;
import io.trustgate.notary.FileVersionStore;
import io.trustgate.notary.InMemoryVersionStore;
import io.trustgate.notary.VersionStore;
import io.trustgate.policy.BrokenPolicy;
import io.trustgate.recheck.Exemptions;
import io.trustgate.runtime.VerifierStack;
import io.trustgate.verify.ImageVerdict;
import io.trustgate.verify.ImageVerifier;
import io.trustgate.verify.PolicyVerdict;
import io.vertx.core.Vertx;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.microprofile.config.Config;

/**
 * CDI adapter over {@link VerifierStack}: reads {@link TrustgateSettings} and hands them and the webhook's
 * metrics (upstream timing, Notary expiry gauges, cache metrics) to its hooks. The only place that knows
 * which implementation serves which interface in the webhook.
 */
public class Wiring {

    @Produces
    @Singleton
    PolicyCompiler.KeyCheck keyCheck() {
        return VerifierStack.keyCheck();
    }

    /**
     * The one typed configuration, read through MicroProfile Config so that both {@code trustgate.*} keys
     * (application.properties, system properties) and {@code TRUSTGATE_*} variables work, and parsed by the
     * same {@link TrustgateSettings#load} as the CLI's. A bad value stops start-up with the one line that names
     * it: Quarkus prints a {@link ConfigurationException}'s message alone, without a stack trace.
     */
    @Produces
    @Singleton
    TrustgateSettings settings(Config config) {
        try {
            return TrustgateSettings.load(s -> config.getOptionalValue(s.property(), String.class));
        } catch (InvalidSettingException e) {
            throw new ConfigurationException("trustgate: invalid configuration: " + e.getMessage());
        }
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
    VersionStore versionStore(TrustgateSettings settings, Instance<KubernetesClient> kubernetes) {
        TrustgateSettings.Policies policies = settings.policies();
        if (policies.dir().isPresent()) {
            Path state = Path.of((String) settings.value(Setting.STATE_DIR).orElseThrow());
            return new FileVersionStore(
                    state.resolve("notary-versions.json"), InMemoryVersionStore.DEFAULT_MAX_ENTRIES, Clock.systemUTC());
        }
        return new ConfigMapVersionStore(
                        kubernetes.get(),
                        policies.namespace(),
                        (String) settings.value(Setting.STATE_CONFIG_MAP).orElseThrow(),
                        Clock.systemUTC())
                .start();
    }

    void closeVersionStore(@Disposes VersionStore store) {
        store.close();
    }

    @Produces
    @Singleton
    VerifierStack verifierStack(Vertx vertx, TrustgateSettings settings, MeterRegistry metrics, VersionStore versions) {
        UpstreamMetrics upstream = new UpstreamMetrics(metrics);
        VerifierStack.Hooks hooks = new VerifierStack.Hooks(
                upstream::registry,
                upstream::lookaside,
                upstream::notary,
                new ExpiryGauges(metrics),
                (cache, labels) -> CaffeineCacheMetrics.monitor(
                        metrics,
                        cache.view(),
                        cache.name(),
                        labels.entrySet().stream()
                                .map(e -> Tag.of(e.getKey(), e.getValue()))
                                .toList()));
        return VerifierStack.create(
                vertx,
                new VerifierStack.Settings(
                        settings.transport(),
                        settings.cache(),
                        Clock.systemUTC(),
                        settings.expiryWarning(),
                        hooks,
                        versions));
    }

    @Produces
    @Singleton
    ImageVerifier imageVerifier(VerifierStack stack) {
        return stack.verifier();
    }

    /**
     * The pull credentials of a pod's registry, shared by admission and the background recheck (one cache of
     * Secret look-ups).
     */
    @Produces
    @Singleton
    PullCredentials pullCredentials(TrustgateSettings settings, PolicySources sources) {
        boolean podPullSecrets =
                (Boolean) settings.value(Setting.POD_PULL_SECRETS).orElseThrow();
        return new SecretPullCredentials(
                sources,
                podPullSecrets,
                sources,
                settings.policies().namespace(),
                settings.admission().pullSecret(),
                pullSecretLookups(),
                settings.cache().tagTtl());
    }

    /** This replica's name in Events and the recheck Lease: the Pod's name in a cluster, plus a random suffix. */
    static String instanceName() {
        String host = System.getenv().getOrDefault("HOSTNAME", "trustgate");
        return host + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    }

    /** Kubernetes Events (cluster mode; nothing is written in directory mode, where no object exists). */
    @Produces
    @Singleton
    ClusterEvents clusterEvents(Instance<KubernetesClient> kubernetes) {
        return new ClusterEvents(kubernetes.get(), Clock.systemUTC(), instanceName());
    }

    void closeEvents(@Disposes ClusterEvents events) {
        events.close();
    }

    /**
     * Which running images an exception exempts (reported as {@code skip}): the current policy set's
     * TrustExceptions, asked exactly as admission asks them.
     */
    @Produces
    @Singleton
    Exemptions exemptions(PolicyStore store) {
        Clock clock = Clock.systemUTC();
        return (namespace, image, policy) -> store.get()
                .exceptions()
                .applicable(namespace, image, policy, clock.instant())
                .map(e -> new Exemptions.Exemption(e.namespace(), e.name(), e.reason(), e.expires()));
    }

    @Produces
    @Singleton
    AdmissionHandler admissionHandler(
            TrustgateSettings settings,
            PolicyStore store,
            PolicySources sources,
            PullCredentials credentials,
            ImageVerifier verifier,
            MeterRegistry metrics,
            Instance<ClusterEvents> events) {
        AdmissionListener listener = new MetricsListener(metrics);
        if (settings.policies().dir().isEmpty()) {
            AdmissionListener audit = new AuditEvents(events.get());
            AdmissionListener counted = listener;
            listener = new AdmissionListener() {
                @Override
                public void unsatisfied(String namespace, ImageVerdict image, PolicyVerdict verdict) {
                    counted.unsatisfied(namespace, image, verdict);
                    audit.unsatisfied(namespace, image, verdict);
                }

                @Override
                public void broken(String namespace, ImageReference image, BrokenPolicy policy) {
                    counted.broken(namespace, image, policy);
                }

                @Override
                public void decided(boolean allowed, String reason, long nanos) {
                    counted.decided(allowed, reason, nanos);
                }
            };
        }
        AdmissionHandler handler = AdmissionHandler.builder(store::get, verifier, settings.deadline())
                .namespaces(sources)
                .credentials(credentials)
                .unmatched(settings.admission().unmatched())
                .listener(listener)
                .pin(settings.admission().pin())
                .build();
        metrics.gauge("trustgate.verifications.in.flight", handler, AdmissionHandler::inFlight);
        return handler;
    }
}
