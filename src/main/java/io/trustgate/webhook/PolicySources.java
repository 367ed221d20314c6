package io.trustgate.webhook;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.trustgate.admission.NamespaceLabels;
import io.trustgate.config.Setting;
import io.trustgate.config.TrustgateSettings;
import io.trustgate.k8s.ClusterEvents;
import io.trustgate.k8s.ClusterPolicySource;
import io.trustgate.k8s.DirectoryPolicySource;
import io.trustgate.k8s.PolicyCompiler;
import io.trustgate.k8s.PolicySource;
import io.trustgate.k8s.SecretData;
import io.trustgate.k8s.SecretPullCredentials;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Chooses where policies come from at startup, once: {@code TRUSTGATE_POLICIES_DIR} (a
 * {@link DirectoryPolicySource}) or the cluster (a {@link ClusterPolicySource}). The chosen source feeds the
 * {@link PolicyStore} and answers namespace labels and pull-secret look-ups; this bean only starts it off the
 * startup thread (retrying while it cannot start) and refreshes it on its interval.
 */
@ApplicationScoped
public class PolicySources
        implements NamespaceLabels, SecretPullCredentials.Secrets, SecretPullCredentials.ServiceAccounts {

    private static final Logger LOG = Logger.getLogger(PolicySources.class);
    private static final long RETRY_SECONDS = 10;

    @Inject
    TrustgateSettings settings;

    @Inject
    PolicyStore store;

    @Inject
    PolicyCompiler.KeyCheck keyCheck;

    @Inject
    Instance<KubernetesClient> kubernetes;

    @Inject
    Instance<ClusterEvents> events;

    private ScheduledExecutorService scheduler;
    /** Set once at startup; read by reviews on I/O threads. */
    private volatile PolicySource source;

    void start(@Observes StartupEvent event) {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "trustgate-policies");
            t.setDaemon(true);
            return t;
        });
        // Informers block until synced: start off the startup thread so health answers meanwhile.
        scheduler.execute(this::startSource);
    }

    private PolicySource create() {
        TrustgateSettings.Policies config = settings.policies();
        if (config.dir().isPresent()) {
            return new DirectoryPolicySource(
                    config.dir().get(),
                    config.namespace(),
                    keyCheck,
                    config.namespacedUrls(),
                    config.reload(),
                    store::set,
                    store::failed);
        }
        ClusterEvents events = this.events.get();
        return new ClusterPolicySource(
                        kubernetes.get(),
                        config.namespace(),
                        keyCheck,
                        config.namespacedUrls(),
                        (Duration)
                                settings.value(Setting.EXCEPTIONS_MAX_DURATION).orElseThrow(),
                        store::set,
                        Clock.systemUTC())
                .onReadyChange((policy, ready) -> {
                    var reference = ClusterEvents.about(
                            policy.getApiVersion(),
                            policy.getKind(),
                            policy.getMetadata().getNamespace(),
                            policy.getMetadata().getName(),
                            policy.getMetadata().getUid());
                    String message = "Ready=" + ready.getStatus() + ": " + ready.getMessage();
                    if ("True".equals(ready.getStatus())) {
                        events.normal(reference, "PolicyReady", message);
                    } else {
                        events.warning(reference, "PolicyNotReady", message);
                    }
                });
    }

    private void startSource() {
        PolicySource next = null;
        try {
            // create() is inside: a source that cannot even be built (no cluster client) is retried and reported
            // like one that cannot start, never lost in a future nobody reads.
            next = create();
            next.start();
        } catch (RuntimeException e) {
            if (next != null) {
                next.close();
            }
            store.failed("cannot read policies: " + e.getMessage());
            LOG.errorf("cannot read policies (retrying in %d s): %s", RETRY_SECONDS, e.getMessage());
            // startSource handles its source's failures itself (and retries again): nothing to read here.
            ScheduledFuture<?> unused = scheduler.schedule(this::startSource, RETRY_SECONDS, TimeUnit.SECONDS);
            return;
        }
        PolicySource started = next;
        source = started;
        long ms = started.refreshInterval().toMillis();
        // A periodic task that throws is never run again, silently: refresh() logs instead (see below).
        ScheduledFuture<?> unused =
                scheduler.scheduleWithFixedDelay(() -> refresh(started), ms, ms, TimeUnit.MILLISECONDS);
    }

    /** One periodic refresh; a failure is logged and the next refresh still runs. */
    private static void refresh(PolicySource source) {
        try {
            source.refresh();
        } catch (RuntimeException e) {
            LOG.errorf(
                    e,
                    "refreshing policies failed (retrying in %d ms)",
                    source.refreshInterval().toMillis());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        PolicySource current = source;
        if (current != null) {
            current.close();
        }
    }

    @Override
    public Map<String, String> of(String namespace) {
        PolicySource current = source;
        return current != null ? current.of(namespace) : Map.of();
    }

    @Override
    public Optional<SecretData> get(String namespace, String name) {
        PolicySource current = source;
        return current != null ? current.get(namespace, name) : Optional.empty();
    }

    @Override
    public List<String> pullSecrets(String namespace, String name) {
        PolicySource current = source;
        return current != null ? current.pullSecrets(namespace, name) : List.of();
    }

    /**
     * Writes {@code status.pods} of a TrustException (cluster mode; the background recheck counts them). False in
     * directory mode, where no TrustException object exists.
     */
    public boolean setExceptionPods(String namespace, String name, int pods) {
        return source instanceof ClusterPolicySource cluster && cluster.setExceptionPods(namespace, name, pods);
    }
}
