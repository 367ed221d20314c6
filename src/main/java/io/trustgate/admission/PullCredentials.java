package io.trustgate.admission;

import io.trustgate.registry.RegistryCredentials;

/**
 * Finds registry credentials the way the kubelet would: the pod's imagePullSecrets, then its
 * ServiceAccount's, then a configured secret.
 */
public interface PullCredentials {

    PullCredentials ANONYMOUS = (namespace, pod, registryHost) ->
            java.util.concurrent.CompletableFuture.completedFuture(RegistryCredentials.ANONYMOUS);

    /** Completes at once when the answer is known; never blocks the calling thread. */
    java.util.concurrent.CompletableFuture<RegistryCredentials> forRegistry(
            String namespace, PodTemplate pod, String registryHost);
}
