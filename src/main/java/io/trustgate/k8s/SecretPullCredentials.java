package io.trustgate.k8s;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.trustgate.admission.PodTemplate;
import io.trustgate.admission.PullCredentials;
import io.trustgate.registry.DockerConfigCredentials;
import io.trustgate.registry.RegistryCredentials;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.jboss.logging.Logger;

/**
 * Registry credentials looked up as the kubelet does: the pod's imagePullSecrets, then its
 * ServiceAccount's, then a configured Secret in trustgate's namespace. Secrets are
 * {@code kubernetes.io/dockerconfigjson} ({@code .dockerconfigjson}) or legacy {@code .dockercfg}.
 */
public final class SecretPullCredentials implements PullCredentials {

    private static final Logger LOG = Logger.getLogger(SecretPullCredentials.class);
    private static final long MAX_ENTRIES = 10_000;
    private static final String DOCKER_CONFIG_JSON = ".dockerconfigjson";
    private static final String DOCKER_CFG = ".dockercfg";

    /** Secrets by namespace and name (decoded by {@link SecretData}). */
    @FunctionalInterface
    public interface Secrets {
        Optional<SecretData> get(String namespace, String name);
    }

    /** The imagePullSecrets of a ServiceAccount. */
    @FunctionalInterface
    public interface ServiceAccounts {
        ServiceAccounts NONE = (namespace, name) -> List.of();

        List<String> pullSecrets(String namespace, String name);
    }

    private record Key(String namespace, List<String> pullSecrets, String serviceAccount, String registryHost) {}

    private final Secrets secrets;
    private final boolean podPullSecrets;
    private final ServiceAccounts serviceAccounts;
    private final String trustgateNamespace;
    private final Optional<String> configuredSecret;
    private final AsyncCache<Key, RegistryCredentials> cache;

    /**
     * @param lookups where Secret and ServiceAccount reads (API calls in cluster mode) run, never the caller's thread
     * @param ttl how long an answer is reused: a rotated pull secret is seen after this
     */
    public SecretPullCredentials(
            Secrets secrets,
            ServiceAccounts serviceAccounts,
            String trustgateNamespace,
            Optional<String> configuredSecret,
            Executor lookups,
            Duration ttl) {
        this(secrets, true, serviceAccounts, trustgateNamespace, configuredSecret, lookups, ttl);
    }

    /**
     * @param podPullSecrets whether the pod's and its ServiceAccount's pull secrets are read (which needs
     *     {@code get} on Secrets and ServiceAccounts in every namespace); when off, only {@code configuredSecret}
     */
    public SecretPullCredentials(
            Secrets secrets,
            boolean podPullSecrets,
            ServiceAccounts serviceAccounts,
            String trustgateNamespace,
            Optional<String> configuredSecret,
            Executor lookups,
            Duration ttl) {
        this.secrets = secrets;
        this.podPullSecrets = podPullSecrets;
        this.serviceAccounts = serviceAccounts;
        this.trustgateNamespace = trustgateNamespace;
        this.configuredSecret = configuredSecret;
        this.cache = Caffeine.newBuilder()
                .expireAfterWrite(ttl)
                .maximumSize(MAX_ENTRIES)
                .executor(lookups)
                .buildAsync();
    }

    @Override
    public CompletableFuture<RegistryCredentials> forRegistry(String namespace, PodTemplate pod, String registryHost) {
        Key key = new Key(namespace, pod.imagePullSecrets(), pod.serviceAccountName(), registryHost);
        return cache.get(key, k -> lookup(namespace, pod, registryHost));
    }

    private RegistryCredentials lookup(String namespace, PodTemplate pod, String registryHost) {
        List<String[]> candidates = new ArrayList<>();
        if (podPullSecrets) {
            pod.imagePullSecrets().forEach(s -> candidates.add(new String[] {namespace, s}));
            serviceAccounts
                    .pullSecrets(namespace, pod.serviceAccountName())
                    .forEach(s -> candidates.add(new String[] {namespace, s}));
        }
        configuredSecret.ifPresent(s -> candidates.add(new String[] {trustgateNamespace, s}));
        for (String[] c : candidates) {
            Optional<RegistryCredentials> found =
                    secrets.get(c[0], c[1]).flatMap(data -> fromSecret(data, registryHost));
            if (found.isPresent()) {
                return found.get();
            }
        }
        return RegistryCredentials.ANONYMOUS;
    }

    private static Optional<RegistryCredentials> fromSecret(SecretData secret, String host) {
        String key = secret.value(DOCKER_CONFIG_JSON).isPresent()
                ? DOCKER_CONFIG_JSON
                : secret.value(DOCKER_CFG).isPresent() ? DOCKER_CFG : null;
        if (key == null) {
            return Optional.empty();
        }
        try {
            return DockerConfigCredentials.parse(
                            secret.value(key).orElseThrow().getBytes(StandardCharsets.UTF_8), key.equals(DOCKER_CFG))
                    .forRegistry(host);
        } catch (RuntimeException e) {
            // A malformed pull secret gives no credentials, as for the kubelet; the registry's 401 says so. The
            // log names the Secret and key only: a parser's message may quote the content, so it is not used.
            LOG.warnf("pull secret %s: key %s is not a valid docker config; it gives no credentials", secret.id(), key);
            return Optional.empty();
        }
    }
}
