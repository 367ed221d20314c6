package io.trustgate.k8s;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.trustgate.k8s.crd.ClusterTrustPolicy;
import io.trustgate.k8s.crd.TrustPolicy;
import io.trustgate.k8s.crd.TrustPolicyStatus;
import io.trustgate.policy.BrokenPolicy;
import io.trustgate.policy.NamespacedUrls;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicySet;
import io.trustgate.verify.NotarySignatureSource;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Policies from the cluster: informers on ClusterTrustPolicies and TrustPolicies (and Namespaces, for
 * namespaceSelectors). Every change recompiles the whole set and writes each policy's Ready condition
 * back to its status, so {@code kubectl get ctp} shows what trustgate made of it.
 */
public final class ClusterPolicySource implements PolicySource {

    private static final Logger LOG = Logger.getLogger(ClusterPolicySource.class);
    /** Secrets outside trustgate's namespace are not watched: a rotated one is seen by recompiling this often. */
    private static final Duration RECOMPILE_INTERVAL = Duration.ofSeconds(60);

    /** The informers, published whole once all have synced (read by reviews on other threads). */
    private record Informers(
            SharedIndexInformer<ClusterTrustPolicy> clusterPolicies,
            SharedIndexInformer<TrustPolicy> policies,
            SharedIndexInformer<Namespace> namespaces,
            SharedIndexInformer<Secret> keySecrets) {

        List<SharedIndexInformer<?>> all() {
            return List.of(clusterPolicies, policies, namespaces, keySecrets);
        }
    }

    private final KubernetesClient client;
    private final PolicyCompiler compiler;
    private final Consumer<PolicySet> sink;
    private final Clock clock;
    private final String trustgateNamespace;
    private volatile Informers informers;
    private volatile ReadyListener readyListener = (policy, ready) -> {};

    /** Hears a policy whose Ready condition changed (status or message), with the new condition. */
    @FunctionalInterface
    public interface ReadyListener {
        void changed(HasMetadata policy, Condition ready);
    }

    public ClusterPolicySource(
            KubernetesClient client,
            String trustgateNamespace,
            PolicyCompiler.KeyCheck keyCheck,
            Consumer<PolicySet> sink,
            Clock clock) {
        this(client, trustgateNamespace, keyCheck, NamespacedUrls.DEFAULT, sink, clock);
    }

    /** @param namespacedUrls which lookaside and Notary URLs a TrustPolicy may name */
    public ClusterPolicySource(
            KubernetesClient client,
            String trustgateNamespace,
            PolicyCompiler.KeyCheck keyCheck,
            NamespacedUrls namespacedUrls,
            Consumer<PolicySet> sink,
            Clock clock) {
        this.client = client;
        this.compiler = new PolicyCompiler(this::secretValue, trustgateNamespace, keyCheck, namespacedUrls);
        this.trustgateNamespace = trustgateNamespace;
        this.sink = sink;
        this.clock = clock;
    }

    /** Sets who hears Ready changes (e.g. an Event writer); call before {@link #start()}. */
    public ClusterPolicySource onReadyChange(ReadyListener listener) {
        this.readyListener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /** Starts the informers (blocking until each has synced) and publishes the first policy set. */
    @Override
    public void start() {
        ResourceEventHandler<HasMetadata> recompile = new ResourceEventHandler<>() {
            @Override
            public void onAdd(HasMetadata obj) {
                recompile();
            }

            @Override
            public void onUpdate(HasMetadata oldObj, HasMetadata newObj) {
                if (!Objects.equals(
                                oldObj.getMetadata().getGeneration(),
                                newObj.getMetadata().getGeneration())
                        || oldObj.getMetadata().getGeneration() == null) {
                    recompile();
                }
            }

            @Override
            public void onDelete(HasMetadata obj, boolean deletedFinalStateUnknown) {
                recompile();
            }
        };
        List<SharedIndexInformer<?>> started = new ArrayList<>();
        try {
            startInformers(recompile, started);
        } catch (RuntimeException e) {
            started.forEach(SharedIndexInformer::close); // the caller retries with a fresh set
            throw e;
        }
        recompile();
    }

    private void startInformers(ResourceEventHandler<HasMetadata> recompile, List<SharedIndexInformer<?>> started) {
        SharedIndexInformer<ClusterTrustPolicy> clusterPolicies =
                client.resources(ClusterTrustPolicy.class).inform(cast(recompile), 0);
        started.add(clusterPolicies);
        SharedIndexInformer<TrustPolicy> policies =
                client.resources(TrustPolicy.class).inAnyNamespace().inform(cast(recompile), 0);
        started.add(policies);
        SharedIndexInformer<Namespace> namespaces = client.namespaces().inform();
        started.add(namespaces);
        // ClusterTrustPolicy keysFrom Secrets live in trustgate's namespace: a rotated key applies at once.
        // (TrustPolicies' Secrets in other namespaces are re-read by the periodic recompile.)
        SharedIndexInformer<Secret> keySecrets = client.secrets()
                .inNamespace(trustgateNamespace)
                .inform(
                        new ResourceEventHandler<>() {
                            @Override
                            public void onAdd(Secret obj) {
                                recompile();
                            }

                            @Override
                            public void onUpdate(Secret oldObj, Secret newObj) {
                                if (!Objects.equals(oldObj.getData(), newObj.getData())
                                        || !Objects.equals(oldObj.getStringData(), newObj.getStringData())) {
                                    recompile();
                                }
                            }

                            @Override
                            public void onDelete(Secret obj, boolean deletedFinalStateUnknown) {
                                recompile();
                            }
                        },
                        0);
        started.add(keySecrets);
        informers = new Informers(clusterPolicies, policies, namespaces, keySecrets);
    }

    @Override
    public void refresh() {
        recompile();
    }

    @Override
    public Duration refreshInterval() {
        return RECOMPILE_INTERVAL;
    }

    @SuppressWarnings("unchecked")
    private static <T extends HasMetadata> ResourceEventHandler<T> cast(ResourceEventHandler<HasMetadata> h) {
        return (ResourceEventHandler<T>) h;
    }

    /** Recompiles every policy (also called periodically, so rotated keys in Secrets are picked up). */
    public synchronized void recompile() {
        Informers current = informers;
        if (current == null) {
            return; // events before every informer has synced: start() compiles once they have
        }
        List<Policy> ok = new ArrayList<>();
        List<BrokenPolicy> broken = new ArrayList<>();
        List<HasMetadata> all =
                new ArrayList<>(current.clusterPolicies().getStore().list());
        all.addAll(current.policies().getStore().list());
        for (HasMetadata resource : all) {
            PolicyCompiler.Result r = compiler.compile(resource);
            if (r.ok()) {
                ok.add(r.policy());
            } else {
                broken.add(r.broken());
                LOG.errorf(
                        "policy %s is broken and denies the images it claims: %s",
                        r.broken().id(), r.broken().error());
            }
            writeStatus(resource, r);
        }
        sink.accept(new PolicySet(ok, broken));
    }

    private void writeStatus(HasMetadata resource, PolicyCompiler.Result r) {
        TrustPolicyStatus current =
                resource instanceof ClusterTrustPolicy c ? c.getStatus() : ((TrustPolicy) resource).getStatus();
        String status = r.ok() ? "True" : "False";
        String reason = r.ok() ? "Loaded" : "Invalid";
        String message = r.ok()
                ? "policy loaded; " + r.policy().signers().size() + " signers, minSignatures "
                        + r.policy().minSignatures()
                        + NotarySignatureSource.dockerHubNotaryNote(r.policy(), clock.instant())
                : r.broken().error();
        Long generation = resource.getMetadata().getGeneration();
        if (current != null
                && Objects.equals(current.observedGeneration, generation)
                && current.conditions.stream()
                        .anyMatch(c -> c.getType().equals("Ready")
                                && c.getStatus().equals(status)
                                && c.getMessage().equals(message))) {
            return;
        }
        Condition ready = new ConditionBuilder()
                .withType("Ready")
                .withStatus(status)
                .withReason(reason)
                .withMessage(message)
                .withObservedGeneration(generation)
                .withLastTransitionTime(clock.instant().toString())
                .build();
        boolean statusChanged = current == null
                || current.conditions.stream()
                        .noneMatch(c -> c.getType().equals("Ready")
                                && c.getStatus().equals(status)
                                && c.getMessage().equals(message));
        TrustPolicyStatus next = new TrustPolicyStatus();
        next.observedGeneration = generation;
        next.conditions = List.of(ready);
        try {
            if (resource instanceof ClusterTrustPolicy c) {
                c.setStatus(next);
                client.resources(ClusterTrustPolicy.class).resource(c).updateStatus();
            } else if (resource instanceof TrustPolicy t) {
                t.setStatus(next);
                client.resources(TrustPolicy.class)
                        .inNamespace(t.getMetadata().getNamespace())
                        .resource(t)
                        .updateStatus();
            }
            if (statusChanged) {
                readyListener.changed(resource, ready); // only the replica whose write won tells of it
            }
        } catch (KubernetesClientException e) {
            // Another replica may have written it first (409); the next event brings the fresh object.
            LOG.debugf("status of %s not written: %s", resource.getMetadata().getName(), e.getMessage());
        }
    }

    private Optional<String> secretValue(String namespace, String name, String key) {
        return get(namespace, name).flatMap(s -> s.value(key));
    }

    /** A Secret: from the informer's cache in trustgate's namespace, else read from the API server. */
    @Override
    public Optional<SecretData> get(String namespace, String name) {
        Informers current = informers;
        try {
            Secret s = namespace.equals(trustgateNamespace) && current != null
                    ? current.keySecrets().getStore().getByKey(namespace + "/" + name)
                    : client.secrets().inNamespace(namespace).withName(name).get();
            return Optional.ofNullable(s).map(SecretData::of);
        } catch (KubernetesClientException e) {
            LOG.warnf(
                    "cannot read Secret %s/%s: HTTP %d %s",
                    namespace,
                    name,
                    e.getCode(),
                    e.getCode() == 403
                            ? "(trustgate may not read Secrets there: see podPullSecrets in the chart)"
                            : e.getStatus() != null ? e.getStatus().getReason() : "");
            return Optional.empty();
        }
    }

    @Override
    public List<String> pullSecrets(String namespace, String name) {
        try {
            ServiceAccount sa = client.serviceAccounts()
                    .inNamespace(namespace)
                    .withName(name)
                    .get();
            if (sa == null || sa.getImagePullSecrets() == null) {
                return List.of();
            }
            return sa.getImagePullSecrets().stream()
                    .map(LocalObjectReference::getName)
                    .toList();
        } catch (KubernetesClientException e) {
            LOG.warnf("cannot read service account %s/%s: HTTP %d", namespace, name, e.getCode());
            return List.of();
        }
    }

    @Override
    public Map<String, String> of(String namespace) {
        Informers current = informers;
        if (current == null) {
            return Map.of();
        }
        Namespace ns = current.namespaces().getStore().getByKey(namespace);
        if (ns == null || ns.getMetadata().getLabels() == null) {
            // The API server adds kubernetes.io/metadata.name to every namespace; keep selectors on it working.
            return Map.of("kubernetes.io/metadata.name", namespace);
        }
        return ns.getMetadata().getLabels();
    }

    @Override
    public void close() {
        Informers current = informers;
        if (current != null) {
            current.all().forEach(SharedIndexInformer::close);
        }
    }
}
