package io.trustgate.webhook;

import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.trustgate.admission.NamespaceLabels;
import io.trustgate.k8s.ClusterPolicySource;
import io.trustgate.k8s.PolicyCompiler;
import io.trustgate.k8s.PolicyDirectory;
import io.trustgate.k8s.SecretPullCredentials;
import io.trustgate.policy.BrokenPolicy;
import io.trustgate.policy.NamespacedUrls;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Chooses where policies come from at startup: {@code TRUSTGATE_POLICIES_DIR} (polled for changes) or
 * the cluster (informers). Either way it feeds the {@link PolicyStore}, and answers namespace labels and
 * Secret look-ups (for pull credentials) from the same place.
 */
@ApplicationScoped
public class PolicySources implements NamespaceLabels, SecretPullCredentials.Secrets, SecretPullCredentials.ServiceAccounts {

    private static final Logger LOG = Logger.getLogger(PolicySources.class);
    /** Secret rotation is noticed by recompiling cluster policies this often. */
    private static final long CLUSTER_RECOMPILE_SECONDS = 60;

    @Inject
    TrustgateConfig config;

    @Inject
    PolicyStore store;

    @Inject
    PolicyCompiler.KeyCheck keyCheck;

    @Inject
    Instance<KubernetesClient> kubernetes;

    private ScheduledExecutorService scheduler;
    private PolicyDirectory directory;
    private String fingerprint;
    private volatile Map<String, Map<String, String>> directorySecrets = Map.of();
    private ClusterPolicySource cluster;

    void start(@Observes StartupEvent event) {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "trustgate-policies");
            t.setDaemon(true);
            return t;
        });
        if (config.policiesDir().isPresent()) {
            directory = new PolicyDirectory(Path.of(config.policiesDir().get()), config.namespace(), keyCheck,
                    namespacedUrls());
            reloadDirectory();
            long ms = config.policiesReload().toMillis();
            scheduler.scheduleWithFixedDelay(this::reloadDirectory, ms, ms, TimeUnit.MILLISECONDS);
        } else {
            // Informers block until synced: start them off the startup thread so health answers meanwhile.
            scheduler.execute(this::startCluster);
        }
    }

    private void startCluster() {
        try {
            cluster = new ClusterPolicySource(kubernetes.get(), config.namespace(), keyCheck, namespacedUrls(), store::set,
                    Clock.systemUTC());
            cluster.start();
            scheduler.scheduleWithFixedDelay(cluster::recompile, CLUSTER_RECOMPILE_SECONDS, CLUSTER_RECOMPILE_SECONDS,
                    TimeUnit.SECONDS);
        } catch (RuntimeException e) {
            store.failed("cannot watch policies in the cluster: " + e.getMessage());
            LOG.errorf("cannot watch policies in the cluster (retrying in 10 s): %s", e.getMessage());
            scheduler.schedule(this::startCluster, 10, TimeUnit.SECONDS);
        }
    }

    private NamespacedUrls namespacedUrls() {
        return new NamespacedUrls(config.namespacedUrlPrefixes().orElse(List.of()));
    }

    void stop(@Observes ShutdownEvent event) {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    synchronized void reloadDirectory() {
        try {
            String now = directory.fingerprint();
            if (now.equals(fingerprint)) {
                return;
            }
            PolicyDirectory.Snapshot snapshot = directory.snapshot();
            fingerprint = now;
            directorySecrets = snapshot.secrets();
            store.set(snapshot.policies());
            LOG.infof("loaded %d policies from %s", snapshot.policies().policies().size(), config.policiesDir().get());
            for (BrokenPolicy b : snapshot.policies().broken()) {
                LOG.errorf("policy %s is broken and denies the images it claims: %s", b.id(), b.error());
            }
        } catch (Exception e) {
            // Keep the last good set; readiness reports the error.
            store.failed(e.getMessage());
            LOG.errorf("cannot read policy directory: %s", e.getMessage());
        }
    }

    @Override
    public Map<String, String> of(String namespace) {
        return cluster != null ? cluster.of(namespace) : Map.of();
    }

    @Override
    public Optional<Map<String, String>> get(String namespace, String name) {
        if (directory != null) {
            return Optional.ofNullable(directorySecrets.get(namespace + "/" + name));
        }
        try {
            Secret s = kubernetes.get().secrets().inNamespace(namespace).withName(name).get();
            if (s == null) {
                return Optional.empty();
            }
            Map<String, String> data = new HashMap<>();
            if (s.getData() != null) {
                s.getData().forEach((k, v) -> data.put(k, new String(Base64.getMimeDecoder().decode(v), StandardCharsets.UTF_8)));
            }
            if (s.getStringData() != null) {
                data.putAll(s.getStringData());
            }
            return Optional.of(data);
        } catch (KubernetesClientException e) {
            LOG.warnf("cannot read pull secret %s/%s: %s", namespace, name, e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public List<String> pullSecrets(String namespace, String name) {
        if (directory != null) {
            return List.of();
        }
        try {
            ServiceAccount sa = kubernetes.get().serviceAccounts().inNamespace(namespace).withName(name).get();
            if (sa == null || sa.getImagePullSecrets() == null) {
                return List.of();
            }
            return sa.getImagePullSecrets().stream().map(LocalObjectReference::getName).toList();
        } catch (KubernetesClientException e) {
            LOG.warnf("cannot read service account %s/%s: %s", namespace, name, e.getMessage());
            return List.of();
        }
    }
}
