package io.trustgate.admission;

import java.util.Map;

/** The labels of a namespace, for ClusterTrustPolicy namespaceSelectors. */
public interface NamespaceLabels {

    /** Without a cluster (policies from a directory), namespaces have no labels. */
    NamespaceLabels NONE = namespace -> Map.of();

    Map<String, String> of(String namespace);
}
