package io.trustgate.policy;

/**
 * Names a policy in messages and metrics: {@code ClusterTrustPolicy/prod} or {@code TrustPolicy team-a/strict}.
 *
 * @param namespace {@code null} for a ClusterTrustPolicy
 */
public record PolicyId(Kind kind, String namespace, String name) {

    /** The two policy kinds. */
    public enum Kind {
        ClusterTrustPolicy,
        TrustPolicy
    }

    public static PolicyId cluster(String name) {
        return new PolicyId(Kind.ClusterTrustPolicy, null, name);
    }

    public static PolicyId namespaced(String namespace, String name) {
        return new PolicyId(Kind.TrustPolicy, namespace, name);
    }

    public boolean isCluster() {
        return kind == Kind.ClusterTrustPolicy;
    }

    @Override
    public String toString() {
        return isCluster() ? kind + "/" + name : kind + " " + namespace + "/" + name;
    }
}
