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
import io.trustgate.k8s.crd.TrustException;
import io.trustgate.k8s.crd.TrustPolicy;
import io.trustgate.k8s.crd.TrustPolicyStatus;
import io.trustgate.policy.BrokenPolicy;
import io.trustgate.policy.Exemption;
import io.trustgate.policy.NamespacedUrls;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicySet;
import io.trustgate.policy.TrustExceptions;
import io.trustgate.verify.NotarySignatureSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Policies from the cluster: informers on ClusterTrustPolicies and TrustPolicies (and Namespaces, for
 * namespaceSelectors) and on TrustExceptions. Every change recompiles the whole set and writes each policy's Ready
 * condition back to its status, so {@code kubectl get ctp} shows what trustgate made of it; an exception's status
 * says Active, Expired or Invalid, and when one expires a timer updates it and records an Event.
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
            SharedIndexInformer<Secret> keySecrets,
            SharedIndexInformer<TrustException> exceptions) {

        List<SharedIndexInformer<?>> all() {
            return java.util.stream.Stream.of(clusterPolicies, policies, namespaces, keySecrets, exceptions)
                    .filter(Objects::nonNull)
                    .<SharedIndexInformer<?>>map(i -> i)
                    .toList();
        }
    }

    /** The longest lifetime of a TrustException when no setting says otherwise. */
    public static final Duration DEFAULT_EXCEPTION_CAP = Duration.ofDays(30);

    private final KubernetesClient client;
    private final PolicyCompiler compiler;
    private final Consumer<PolicySet> sink;
    private final Clock clock;
    private final String trustgateNamespace;
    private final ExceptionCompiler exceptionCompiler;
    private final ExceptionStatus exceptionStatus;
    /** Wakes at the next expiry of an exception, so its status and Event say it stopped applying. */
    private final ScheduledExecutorService expiryTimer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "trustgate-exception-expiry");
        t.setDaemon(true);
        return t;
    });

    private ScheduledFuture<?> nextExpiryCheck;
    private volatile Informers informers;
    /** The policies of the last recompile, so an exception change does not recompile (and re-read) every policy. */
    private List<Policy> lastPolicies = List.of();

    private List<BrokenPolicy> lastBroken = List.of();

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
        this(client, trustgateNamespace, keyCheck, namespacedUrls, DEFAULT_EXCEPTION_CAP, sink, clock);
    }

    /** @param exceptionCap the longest lifetime of a TrustException ({@code TRUSTGATE_EXCEPTIONS_MAX_DURATION}) */
    public ClusterPolicySource(
            KubernetesClient client,
            String trustgateNamespace,
            PolicyCompiler.KeyCheck keyCheck,
            NamespacedUrls namespacedUrls,
            Duration exceptionCap,
            Consumer<PolicySet> sink,
            Clock clock) {
        this.exceptionCompiler = new ExceptionCompiler(exceptionCap);
        this.exceptionStatus = new ExceptionStatus(client, clock);
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
        SharedIndexInformer<TrustException> exceptions = informExceptions();
        if (exceptions != null) {
            started.add(exceptions);
        }
        informers = new Informers(clusterPolicies, policies, namespaces, keySecrets, exceptions);
    }

    /**
     * The TrustException informer, or {@code null} when the CRD is not installed (a chart upgraded without its new
     * CRD: Helm does not upgrade CRDs): policies keep working and exceptions are off, rather than nothing starting.
     */
    private SharedIndexInformer<TrustException> informExceptions() {
        try {
            return informExceptionsOrThrow();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
            LOG.warnf("the TrustException CRD is not installed, so no exception applies "
                    + "(kubectl apply -f k8s/crds/trustexceptions.trustgate.io.yaml, then restart trustgate)");
            return null;
        }
    }

    private SharedIndexInformer<TrustException> informExceptionsOrThrow() {
        return client.resources(TrustException.class)
                .inAnyNamespace()
                .inform(
                        new ResourceEventHandler<>() {
                            @Override
                            public void onAdd(TrustException obj) {
                                recompileExceptions();
                            }

                            @Override
                            public void onUpdate(TrustException oldObj, TrustException newObj) {
                                // Status writes (ours, the recheck's pod count) do not change the generation.
                                if (!Objects.equals(
                                        oldObj.getMetadata().getGeneration(),
                                        newObj.getMetadata().getGeneration())) {
                                    recompileExceptions();
                                }
                            }

                            @Override
                            public void onDelete(TrustException obj, boolean deletedFinalStateUnknown) {
                                recompileExceptions();
                            }
                        },
                        0);
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
        lastPolicies = List.copyOf(ok);
        lastBroken = List.copyOf(broken);
        publish(current);
    }

    /** Recompiles the TrustExceptions alone (an exception changed, or one expired) and publishes them. */
    public synchronized void recompileExceptions() {
        Informers current = informers;
        if (current != null) {
            publish(current);
        }
    }

    /**
     * Compiles every TrustException against the last compiled policies, writes each one's status, publishes the
     * set, and sets the timer for the next expiry. Invalid exceptions are left out of the set: they never apply.
     */
    private void publish(Informers current) {
        Instant now = clock.instant();
        List<Exemption> valid = new ArrayList<>();
        List<TrustException> resources = current.exceptions() == null
                ? List.of()
                : current.exceptions().getStore().list();
        for (TrustException resource : resources) {
            ExceptionCompiler.Result r = exceptionCompiler.compile(resource);
            if (r.ok()) {
                valid.add(r.exemption());
            } else {
                // Its status says why; at debug level, since every periodic recompile comes here again.
                LOG.debugf(
                        "TrustException %s/%s is invalid and never applies: %s",
                        resource.getMetadata().getNamespace(),
                        resource.getMetadata().getName(),
                        r.error());
            }
            exceptionStatus.write(resource, ExceptionStatus.state(r, lastPolicies, now));
        }
        TrustExceptions exceptions = new TrustExceptions(valid);
        sink.accept(new PolicySet(lastPolicies, lastBroken, exceptions));
        if (nextExpiryCheck != null) {
            nextExpiryCheck.cancel(false);
            nextExpiryCheck = null;
        }
        Optional<Instant> next = exceptions.nextExpiry(now);
        if (next.isPresent() && !expiryTimer.isShutdown()) {
            // A millisecond past the expiry: at that instant admission already stops applying the exception.
            long delay = Duration.between(now, next.get()).toMillis() + 1;
            nextExpiryCheck = expiryTimer.schedule(this::recompileExceptions, delay, TimeUnit.MILLISECONDS);
        }
    }

    /** Writes {@code status.pods} of a TrustException (for the background recheck; see {@link ExceptionStatus}). */
    public boolean setExceptionPods(String namespace, String name, int pods) {
        return exceptionStatus.setPods(namespace, name, pods);
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
        expiryTimer.shutdownNow();
        Informers current = informers;
        if (current != null) {
            current.all().forEach(SharedIndexInformer::close);
        }
    }
}
