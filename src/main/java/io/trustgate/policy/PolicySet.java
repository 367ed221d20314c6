package io.trustgate.policy;

import io.trustgate.image.ImageReference;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * An immutable snapshot of every loaded policy, swapped whole when a source changes, so a review sees
 * one consistent set.
 */
public record PolicySet(List<Policy> policies, List<BrokenPolicy> broken) {

    public static final PolicySet EMPTY = new PolicySet(List.of(), List.of());

    public PolicySet {
        policies = policies.stream().sorted(Comparator.comparing(p -> p.id().toString())).toList();
        broken = List.copyOf(broken);
    }

    /** The policies and broken policies that govern one image in one namespace. */
    public record Applicable(List<Policy> policies, List<BrokenPolicy> broken) {
        public boolean isEmpty() {
            return policies.isEmpty() && broken.isEmpty();
        }
    }

    public Applicable applicable(String namespace, Map<String, String> namespaceLabels, ImageReference image) {
        List<Policy> matching = new ArrayList<>();
        String repository = image.repository();
        for (Policy p : policies) {
            if (p.appliesIn(namespace, namespaceLabels) && p.governs(repository, image.tag())) {
                matching.add(p);
            }
        }
        List<BrokenPolicy> brokenMatching = new ArrayList<>();
        for (BrokenPolicy b : broken) {
            if (b.claims(namespace, namespaceLabels, image)) {
                brokenMatching.add(b);
            }
        }
        return new Applicable(List.copyOf(matching), List.copyOf(brokenMatching));
    }

    /** Merges two snapshots (e.g. ClusterTrustPolicies and TrustPolicies from separate informers). */
    public PolicySet with(PolicySet other) {
        List<Policy> p = new ArrayList<>(policies);
        p.addAll(other.policies);
        List<BrokenPolicy> b = new ArrayList<>(broken);
        b.addAll(other.broken);
        return new PolicySet(p, b);
    }
}
