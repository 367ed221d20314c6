package io.trustgate.admission;

import io.trustgate.registry.RegistryCredentials;

/**
 * Finds registry credentials the way the kubelet would: the pod's imagePullSecrets, then its
 * ServiceAccount's, then a configured secret.
 */
public interface PullCredentials {

    PullCredentials ANONYMOUS = (namespace, pod, registryHost) -> RegistryCredentials.ANONYMOUS;

    RegistryCredentials forRegistry(String namespace, PodTemplate pod, String registryHost);
}
