package io.trustgate.policy;

import io.trustgate.image.ImageReference;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * An immutable snapshot of every loaded policy and valid TrustException, swapped whole when a source changes, so a
 * review sees one consistent set.
 */
public record PolicySet(List<Policy> policies, List<BrokenPolicy> broken, TrustExceptions exceptions) {

    public static final PolicySet EMPTY = new PolicySet(List.of(), List.of());

    public PolicySet {
        policies = policies.stream()
                .sorted(Comparator.comparing(p -> p.id().toString()))
                .toList();
        broken = List.copyOf(broken);
        exceptions = exceptions == null ? TrustExceptions.NONE : exceptions;
    }

    /** Policies without exceptions. */
    public PolicySet(List<Policy> policies, List<BrokenPolicy> broken) {
        this(policies, broken, TrustExceptions.NONE);
    }

    /**
     * The policies and broken policies that govern one image in one namespace.
     *
     * @param tightening TrustPolicies that match an image no ClusterTrustPolicy governs or delegates to the
     *     namespace: they may only add requirements to what the cluster lets through, so they apply only when
     *     ungoverned images are allowed ({@code TRUSTGATE_UNMATCHED=allow}); they never make such an image
     *     admissible when ungoverned images are denied
     * @param clusterGoverned a ClusterTrustPolicy that applies in the namespace governs the image (also when it
     *     is broken) or delegates it to the namespace's TrustPolicies
     */
    public record Applicable(
            List<Policy> policies, List<BrokenPolicy> broken, List<Policy> tightening, boolean clusterGoverned) {
        public Applicable {
            policies = List.copyOf(policies);
            broken = List.copyOf(broken);
            tightening = List.copyOf(tightening);
        }

        public boolean isEmpty() {
            return policies.isEmpty() && broken.isEmpty();
        }
    }

    /**
     * Namespaces can only tighten: every ClusterTrustPolicy that applies in the namespace and governs the image
     * applies, and so does every TrustPolicy of the namespace that matches it. When no ClusterTrustPolicy
     * governs the image, the namespace's TrustPolicies govern it alone only where a ClusterTrustPolicy that
     * applies in the namespace delegates it ({@code spec.allowNamespacedPolicies}); otherwise they are returned
     * as {@link Applicable#tightening()} and the image counts as ungoverned.
     */
    public Applicable applicable(String namespace, Map<String, String> namespaceLabels, ImageReference image) {
        List<Policy> cluster = new ArrayList<>();
        List<Policy> namespaced = new ArrayList<>();
        String repository = image.repository();
        String tag = image.tag();
        boolean delegated = false;
        for (Policy p : policies) {
            if (!p.appliesIn(namespace, namespaceLabels)) {
                continue;
            }
            if (p.governs(repository, tag)) {
                (p.id().isCluster() ? cluster : namespaced).add(p);
            }
            delegated = delegated || (p.id().isCluster() && p.delegatesToNamespaces(repository, tag));
        }
        List<BrokenPolicy> brokenMatching = new ArrayList<>();
        boolean brokenCluster = false;
        for (BrokenPolicy b : broken) {
            if (b.claims(namespace, namespaceLabels, image)) {
                brokenMatching.add(b);
                brokenCluster = brokenCluster || b.id().isCluster();
            }
        }
        // A delegation hands the image to the namespace's own policies; with none, it stays ungoverned.
        boolean tenantGoverns =
                delegated && (!namespaced.isEmpty() || brokenMatching.stream().anyMatch(b -> !b.id().isCluster()));
        boolean governed = !cluster.isEmpty() || brokenCluster || tenantGoverns;
        if (!governed) {
            return new Applicable(List.of(), brokenMatching, namespaced, false);
        }
        cluster.addAll(namespaced);
        return new Applicable(cluster, brokenMatching, List.of(), true);
    }

    /**
     * Whether some policy (loaded or broken) selects {@code namespace}, whatever images it names: where none
     * does, nothing running there is trustgate's to report.
     */
    public boolean selects(String namespace, Map<String, String> namespaceLabels) {
        return policies.stream().anyMatch(p -> p.appliesIn(namespace, namespaceLabels))
                || broken.stream().anyMatch(b -> b.selects(namespace, namespaceLabels));
    }

    /** Merges two snapshots (e.g. ClusterTrustPolicies and TrustPolicies from separate informers). */
    public PolicySet with(PolicySet other) {
        List<Policy> p = new ArrayList<>(policies);
        p.addAll(other.policies);
        List<BrokenPolicy> b = new ArrayList<>(broken);
        b.addAll(other.broken);
        List<Exemption> e = new ArrayList<>(exceptions.all());
        e.addAll(other.exceptions.all());
        return new PolicySet(p, b, new TrustExceptions(e));
    }
}
