package io.trustgate.k8s;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.trustgate.admission.NamespaceLabels;
import io.trustgate.k8s.crd.ClusterTrustPolicy;
import io.trustgate.k8s.crd.TrustPolicy;
import io.trustgate.k8s.crd.TrustPolicyStatus;
import io.trustgate.policy.BrokenPolicy;
import io.trustgate.policy.NamespacedUrls;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicySet;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
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
public final class ClusterPolicySource implements NamespaceLabels, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ClusterPolicySource.class);

    private final KubernetesClient client;
    private final PolicyCompiler compiler;
    private final Consumer<PolicySet> sink;
    private final Clock clock;
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    private SharedIndexInformer<ClusterTrustPolicy> clusterPolicies;
    private SharedIndexInformer<TrustPolicy> policies;
    private SharedIndexInformer<Namespace> namespaces;
    private SharedIndexInformer<Secret> keySecrets;
    private final String trustgateNamespace;
    private volatile boolean synced;

    public ClusterPolicySource(KubernetesClient client, String trustgateNamespace, PolicyCompiler.KeyCheck keyCheck,
            Consumer<PolicySet> sink, Clock clock) {
        this(client, trustgateNamespace, keyCheck, NamespacedUrls.DEFAULT, sink, clock);
    }

    /** @param namespacedUrls which lookaside and Notary URLs a TrustPolicy may name */
    public ClusterPolicySource(KubernetesClient client, String trustgateNamespace, PolicyCompiler.KeyCheck keyCheck,
            NamespacedUrls namespacedUrls, Consumer<PolicySet> sink, Clock clock) {
        this.client = client;
        this.compiler = new PolicyCompiler(this::secretValue, trustgateNamespace, keyCheck, namespacedUrls);
        this.trustgateNamespace = trustgateNamespace;
        this.sink = sink;
        this.clock = clock;
    }

    /** Starts the informers; the first policy set is published once all have synced. */
    public void start() {
        ResourceEventHandler<HasMetadata> recompile = new ResourceEventHandler<>() {
            @Override
            public void onAdd(HasMetadata obj) {
                recompile();
            }

            @Override
            public void onUpdate(HasMetadata oldObj, HasMetadata newObj) {
                if (!Objects.equals(oldObj.getMetadata().getGeneration(), newObj.getMetadata().getGeneration())
                        || oldObj.getMetadata().getGeneration() == null) {
                    recompile();
                }
            }

            @Override
            public void onDelete(HasMetadata obj, boolean deletedFinalStateUnknown) {
                recompile();
            }
        };
        clusterPolicies = client.resources(ClusterTrustPolicy.class).inform(cast(recompile), 0);
        policies = client.resources(TrustPolicy.class).inAnyNamespace().inform(cast(recompile), 0);
        namespaces = client.namespaces().inform();
        // ClusterTrustPolicy keysFrom Secrets live in trustgate's namespace: a rotated key applies at once.
        // (TrustPolicies' Secrets in other namespaces are re-read by the periodic recompile.)
        keySecrets = client.secrets().inNamespace(trustgateNamespace).inform(new ResourceEventHandler<>() {
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
        }, 0);
        informers.addAll(List.of(clusterPolicies, policies, namespaces, keySecrets));
        synced = true;
        recompile();
    }

    @SuppressWarnings("unchecked")
    private static <T extends HasMetadata> ResourceEventHandler<T> cast(ResourceEventHandler<HasMetadata> h) {
        return (ResourceEventHandler<T>) h;
    }

    /** Recompiles every policy (also called periodically, so rotated keys in Secrets are picked up). */
    public synchronized void recompile() {
        if (!synced) {
            return;
        }
        List<Policy> ok = new ArrayList<>();
        List<BrokenPolicy> broken = new ArrayList<>();
        List<HasMetadata> all = new ArrayList<>(clusterPolicies.getStore().list());
        all.addAll(policies.getStore().list());
        for (HasMetadata resource : all) {
            PolicyCompiler.Result r = compiler.compile(resource);
            if (r.ok()) {
                ok.add(r.policy());
            } else {
                broken.add(r.broken());
                LOG.errorf("policy %s is broken and denies the images it claims: %s", r.broken().id(), r.broken().error());
            }
            writeStatus(resource, r);
        }
        sink.accept(new PolicySet(ok, broken));
    }

    private void writeStatus(HasMetadata resource, PolicyCompiler.Result r) {
        TrustPolicyStatus current = resource instanceof ClusterTrustPolicy c ? c.getStatus() : ((TrustPolicy) resource).getStatus();
        String status = r.ok() ? "True" : "False";
        String reason = r.ok() ? "Loaded" : "Invalid";
        String message = r.ok() ? "policy loaded; " + r.policy().signers().size() + " signers, minSignatures "
                + r.policy().minSignatures() : r.broken().error();
        Long generation = resource.getMetadata().getGeneration();
        if (current != null && Objects.equals(current.observedGeneration, generation) && current.conditions.stream()
                .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals(status) && c.getMessage().equals(message))) {
            return;
        }
        Condition ready = new ConditionBuilder().withType("Ready").withStatus(status).withReason(reason)
                .withMessage(message).withObservedGeneration(generation)
                .withLastTransitionTime(clock.instant().toString()).build();
        TrustPolicyStatus next = new TrustPolicyStatus();
        next.observedGeneration = generation;
        next.conditions = List.of(ready);
        try {
            if (resource instanceof ClusterTrustPolicy c) {
                c.setStatus(next);
                client.resources(ClusterTrustPolicy.class).resource(c).updateStatus();
            } else if (resource instanceof TrustPolicy t) {
                t.setStatus(next);
                client.resources(TrustPolicy.class).inNamespace(t.getMetadata().getNamespace()).resource(t).updateStatus();
            }
        } catch (KubernetesClientException e) {
            // Another replica may have written it first (409); the next event brings the fresh object.
            LOG.debugf("status of %s not written: %s", resource.getMetadata().getName(), e.getMessage());
        }
    }

    private Optional<String> secretValue(String namespace, String name, String key) {
        try {
            Secret s = namespace.equals(trustgateNamespace) && keySecrets != null
                    ? keySecrets.getStore().getByKey(namespace + "/" + name)
                    : client.secrets().inNamespace(namespace).withName(name).get();
            if (s == null) {
                return Optional.empty();
            }
            if (s.getStringData() != null && s.getStringData().containsKey(key)) {
                return Optional.of(s.getStringData().get(key));
            }
            if (s.getData() != null && s.getData().containsKey(key)) {
                return Optional.of(new String(Base64.getMimeDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8));
            }
            return Optional.empty();
        } catch (KubernetesClientException e) {
            LOG.warnf("cannot read Secret %s/%s: %s", namespace, name, e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public Map<String, String> of(String namespace) {
        if (namespaces == null) {
            return Map.of();
        }
        Namespace ns = namespaces.getStore().getByKey(namespace);
        if (ns == null || ns.getMetadata().getLabels() == null) {
            // The API server adds kubernetes.io/metadata.name to every namespace; keep selectors on it working.
            return Map.of("kubernetes.io/metadata.name", namespace);
        }
        return ns.getMetadata().getLabels();
    }

    @Override
    public void close() {
        informers.forEach(SharedIndexInformer::close);
    }
}
