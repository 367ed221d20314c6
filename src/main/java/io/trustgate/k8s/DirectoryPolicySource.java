package io.trustgate.k8s;

import io.trustgate.policy.BrokenPolicy;
import io.trustgate.policy.NamespacedUrls;
import io.trustgate.policy.PolicySet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Policies from a {@link PolicyDirectory}, re-read when its fingerprint changes. The Secrets of the directory
 * serve pull credentials; there are no namespaces or ServiceAccounts to read. What was loaded last is one
 * immutable {@link Loaded} value behind a volatile reference, so reviews on other threads see it whole.
 */
public final class DirectoryPolicySource implements PolicySource {

    private static final Logger LOG = Logger.getLogger(DirectoryPolicySource.class);

    private record Loaded(String fingerprint, PolicyDirectory.Snapshot snapshot) {}

    private final PolicyDirectory directory;
    private final Path path;
    private final Duration interval;
    private final Consumer<PolicySet> sink;
    private final Consumer<String> failures;
    private volatile Loaded loaded;

    /**
     * @param sink hears every newly loaded policy set
     * @param failures hears why the directory could not be read at all (the last good set stays published)
     */
    public DirectoryPolicySource(
            Path path,
            String trustgateNamespace,
            PolicyCompiler.KeyCheck keyCheck,
            Duration interval,
            Consumer<PolicySet> sink,
            Consumer<String> failures) {
        this(path, trustgateNamespace, keyCheck, NamespacedUrls.DEFAULT, interval, sink, failures);
    }

    /** @param namespacedUrls which lookaside and Notary URLs a TrustPolicy may name */
    public DirectoryPolicySource(
            Path path,
            String trustgateNamespace,
            PolicyCompiler.KeyCheck keyCheck,
            NamespacedUrls namespacedUrls,
            Duration interval,
            Consumer<PolicySet> sink,
            Consumer<String> failures) {
        this.directory = new PolicyDirectory(path, trustgateNamespace, keyCheck, namespacedUrls);
        this.path = path;
        this.interval = interval;
        this.sink = sink;
        this.failures = failures;
    }

    @Override
    public void start() {
        refresh();
    }

    @Override
    public synchronized void refresh() {
        try {
            String now = directory.fingerprint();
            Loaded last = loaded;
            if (last != null && now.equals(last.fingerprint())) {
                return;
            }
            PolicyDirectory.Snapshot snapshot = directory.snapshot();
            loaded = new Loaded(now, snapshot);
            sink.accept(snapshot.policies());
            LOG.infof(
                    "loaded %d policies from %s", snapshot.policies().policies().size(), path);
            for (BrokenPolicy b : snapshot.policies().broken()) {
                LOG.errorf("policy %s is broken and denies the images it claims: %s", b.id(), b.error());
            }
        } catch (Exception e) {
            // Keep the last good set; readiness reports the error.
            failures.accept(e.getMessage());
            LOG.errorf("cannot read policy directory: %s", e.getMessage());
        }
    }

    @Override
    public Duration refreshInterval() {
        return interval;
    }

    /** A directory has no Namespace objects: no labels. */
    @Override
    public Map<String, String> of(String namespace) {
        return Map.of();
    }

    @Override
    public Optional<SecretData> get(String namespace, String name) {
        Loaded last = loaded;
        return last == null ? Optional.empty() : last.snapshot().secret(namespace, name);
    }

    /** A directory has no ServiceAccounts. */
    @Override
    public List<String> pullSecrets(String namespace, String name) {
        return List.of();
    }

    @Override
    public void close() {
        // nothing held: the caller's scheduler runs refresh
    }
}
