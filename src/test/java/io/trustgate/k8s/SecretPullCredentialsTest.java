package io.trustgate.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.trustgate.admission.PodTemplate;
import io.trustgate.registry.RegistryCredentials;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SecretPullCredentialsTest {

    private static final String CONFIG = "{\"auths\":{\"r.example.com\":{\"username\":\"%s\",\"password\":\"p\"}}}";

    private final List<String> read = new CopyOnWriteArrayList<>();

    private Optional<SecretData> secret(String namespace, String name) {
        read.add(namespace + "/" + name);
        return Optional.of(SecretData.of(new SecretBuilder()
                .withNewMetadata()
                .withNamespace(namespace)
                .withName(name)
                .endMetadata()
                .addToStringData(".dockerconfigjson", CONFIG.formatted(name))
                .build()));
    }

    private static PodTemplate pod() throws Exception {
        return PodTemplate.of("Pod", new ObjectMapper().readTree("""
                {"spec": {"serviceAccountName": "builder", "imagePullSecrets": [{"name": "own"}],
                  "containers": [{"name": "a", "image": "r.example.com/app:1"}]}}"""));
    }

    @Test
    @DisplayName("pod pull secrets on: the pod's own pull secret is used first, as the kubelet would")
    void podSecretsFirst() throws Exception {
        SecretPullCredentials credentials = new SecretPullCredentials(
                this::secret,
                true,
                (ns, sa) -> List.of("sa-secret"),
                "trustgate",
                Optional.of("fallback"),
                Runnable::run,
                Duration.ofSeconds(30));
        RegistryCredentials c =
                credentials.forRegistry("apps", pod(), "r.example.com").join();
        assertThat(c.username()).isEqualTo("own");
        assertThat(read).containsExactly("apps/own");
    }

    @Test
    @DisplayName("pod pull secrets off (no cluster-wide Secret rule): only trustgate's configured Secret is read")
    void podSecretsOff() throws Exception {
        SecretPullCredentials credentials = new SecretPullCredentials(
                this::secret,
                false,
                (ns, sa) -> {
                    throw new AssertionError("no ServiceAccount is read");
                },
                "trustgate",
                Optional.of("fallback"),
                Runnable::run,
                Duration.ofSeconds(30));
        RegistryCredentials c =
                credentials.forRegistry("apps", pod(), "r.example.com").join();
        assertThat(c.username()).isEqualTo("fallback");
        assertThat(read).containsExactly("trustgate/fallback");
    }
}
